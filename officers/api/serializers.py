from rest_framework import serializers

from officers.models import Officer, OfficerRequest, OptimiserRun
from schools.models import BasicCommandUnit


def bcu_slug_field(**kwargs) -> serializers.SlugRelatedField:
    """A BCU by its slug (e.g. `central-east`), as everywhere in the API; validates to the BasicCommandUnit."""
    return serializers.SlugRelatedField(
        slug_field="slug",
        queryset=BasicCommandUnit.objects.all(),
        error_messages={"does_not_exist": "There is no BCU with the slug {value}."},
        help_text="A BCU's slug, e.g. `central-east` (see /api/v1/bcus/).",
        **kwargs,
    )


class OfficersOfficerSerializer(serializers.ModelSerializer):
    bcu = serializers.CharField(source="bcu.slug", read_only=True, help_text="The officer's BCU, by its slug.")
    load = serializers.IntegerField(read_only=True)
    school_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "name",
            "shoulder_number",
            "rank",
            "role_type",
            "bcu",
            "base_name",
            "base_postcode",
            "base_latitude",
            "base_longitude",
            "capacity",
            "load",
            "school_count",
            "active",
            "work_email",
            "work_phone",
        ]
        ref_name = "OfficersOfficer"


# The list's rows from `.values()` in OfficersOfficerSerializer's shape (core.api.rows): no model instances.
# tests/bench/test_api_rows.py checks each row equals the serializer's.
OFFICER_LIST_VALUES = (
    "id",
    "name",
    "shoulder_number",
    "rank",
    "role_type",
    "bcu__slug",
    "base_name",
    "base_postcode",
    "base_latitude",
    "base_longitude",
    "capacity",
    "load",
    "school_count",
    "active",
    "work_email",
    "work_phone",
)


def officer_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "shoulder_number": row["shoulder_number"],
        "rank": row["rank"],
        "role_type": row["role_type"],
        "bcu": row["bcu__slug"],
        "base_name": row["base_name"],
        "base_postcode": row["base_postcode"],
        "base_latitude": row["base_latitude"],
        "base_longitude": row["base_longitude"],
        "capacity": row["capacity"],
        "load": row["load"],
        "school_count": row["school_count"],
        "active": row["active"],
        "work_email": row["work_email"],
        "work_phone": row["work_phone"],
    }


class OfficersOfficerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    shoulder_number = serializers.CharField(max_length=20)
    rank = serializers.ChoiceField(choices=Officer.Rank.choices, default=Officer.Rank.PC)
    role_type = serializers.ChoiceField(choices=Officer.RoleType.choices, default=Officer.RoleType.SAFER_SCHOOLS)
    bcu = bcu_slug_field()
    base_name = serializers.CharField(max_length=120)
    base_postcode = serializers.CharField(max_length=10)
    base_latitude = serializers.FloatField(min_value=51.2, max_value=51.8)
    base_longitude = serializers.FloatField(min_value=-0.6, max_value=0.4)
    capacity = serializers.IntegerField(min_value=1, max_value=1000)
    # Optional without a default: an empty default contradicts the schema's own `format: email` (and a PATCH must not
    # send what it does not change).
    work_email = serializers.EmailField(required=False, allow_blank=True)
    work_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)


class OfficersOfficerUpdateSerializer(OfficersOfficerCreateSerializer):
    """PATCH: any of the officer's fields. `reason` is needed for a capacity below the current load; `confirm_move`
    for a BCU move that puts the officer's schools outside the new BCU back in the queue."""

    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    confirm_move = serializers.BooleanField(required=False, default=False)


class OfficersActivitySerializer(serializers.Serializer):
    programme = serializers.CharField()
    label = serializers.CharField()
    display = serializers.CharField(help_text='The count as shown: pupil counts from 1 to 4 as "fewer than 5".')


class OfficersQueueSchoolSerializer(serializers.Serializer):
    urn = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    la_code = serializers.IntegerField(source="local_authority.code", help_text="The borough's DfE LA code.")
    la_name = serializers.CharField(source="local_authority.name")
    gss_code = serializers.CharField(source="local_authority.gss_code", help_text="The borough's ONS GSS code.")
    bcu = serializers.CharField(source="local_authority.bcu.slug", help_text="The BCU's slug.")
    request_kind = serializers.ChoiceField(choices=OfficerRequest.Kind.choices, allow_null=True)
    days_waiting = serializers.IntegerField(allow_null=True)
    activity = OfficersActivitySerializer(many=True, help_text="Counts from the other programmes.")


class OfficersSuggestionSerializer(serializers.Serializer):
    officer_id = serializers.IntegerField(source="officer.pk")
    officer_name = serializers.CharField(source="officer.name")
    km = serializers.FloatField()
    load_before = serializers.IntegerField()
    load_after = serializers.IntegerField()
    capacity = serializers.IntegerField(source="officer.capacity")
    fits = serializers.BooleanField()
    reason = serializers.CharField()


class OfficersAssignmentCreateSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    officer_id = serializers.IntegerField()
    start_date = serializers.DateField(required=False)
    override_reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    replace = serializers.BooleanField(required=False, default=False)


class OfficersAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    school_urn = serializers.IntegerField(source="school_id")
    officer_id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    weight = serializers.IntegerField()
    override_reason = serializers.CharField()


class OfficersReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class OfficersAssignmentEndSerializer(OfficersReasonSerializer):
    end_date = serializers.DateField(
        required=False, help_text="Default today; not before the start, not in the future."
    )


class OfficersOptimiserRunSerializer(serializers.Serializer):
    bcu = bcu_slug_field()
    allow_moves = serializers.BooleanField(default=False)


class OfficersProposalSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    officer_id = serializers.IntegerField()


class OfficersOptimiserApplySerializer(serializers.Serializer):
    bcu = bcu_slug_field()
    allow_moves = serializers.BooleanField(default=False)
    proposals = OfficersProposalSerializer(many=True, allow_empty=False)


class OfficersRunStartSerializer(serializers.Serializer):
    bcus = bcu_slug_field(many=True, required=False, allow_empty=False)
    allow_moves = serializers.BooleanField(default=False)


class OfficersRunParamsSerializer(serializers.Serializer):
    bcus = serializers.ListField(child=serializers.CharField(), help_text="The BCUs' slugs.")
    allow_moves = serializers.BooleanField()


class OfficersRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=OptimiserRun.Status.choices)
    params = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    areas = serializers.SerializerMethodField(help_text="Per BCU, when done: totals, proposed rows, uncovered schools.")

    @staticmethod
    def _slugs() -> dict[int, str]:
        return dict(BasicCommandUnit.objects.values_list("pk", "slug"))

    def get_params(self, run) -> OfficersRunParamsSerializer:
        slugs = self._slugs()
        return {
            "bcus": [slugs.get(pk, str(pk)) for pk in run.params.get("bcu_ids", [])],
            "allow_moves": bool(run.params.get("allow_moves")),
        }

    def get_areas(self, run) -> list[dict]:
        """Each area's `bcu` by its slug (the stored result names it by id)."""
        if run.status != "done":
            return []
        slugs = self._slugs()
        areas = []
        for area in run.result.get("areas", []):
            bcu = area.get("bcu") or {}
            areas.append({**area, "bcu": slugs.get(bcu.get("id"), bcu.get("name"))})
        return areas


class OfficersRunProposalSerializer(serializers.Serializer):
    bcu = bcu_slug_field()
    school_urn = serializers.IntegerField()
    officer_id = serializers.IntegerField()


class OfficersRunApplySerializer(serializers.Serializer):
    proposals = OfficersRunProposalSerializer(many=True, allow_empty=False)


class OfficersWeightOverrideSerializer(serializers.Serializer):
    weight = serializers.IntegerField(min_value=1, max_value=200)
    reason = serializers.CharField(max_length=300)


class OfficersOfficerRequestCreateSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=OfficerRequest.Kind.choices,
        help_text="Recorded as the school's situation says: `change` when it has a named officer, `new` when not.",
    )
    reason = serializers.CharField(max_length=1000)


class OfficersNamedOfficerSerializer(serializers.Serializer):
    """One of your schools and its named officer (the officer's fields are null while it has none)."""

    school_urn = serializers.IntegerField()
    school_name = serializers.CharField()
    officer_name = serializers.CharField(allow_null=True)
    rank = serializers.ChoiceField(choices=Officer.Rank.choices, allow_null=True)
    rank_label = serializers.CharField(allow_null=True, help_text="The rank as shown to people, e.g. Police Constable.")
    role_type = serializers.ChoiceField(choices=Officer.RoleType.choices, allow_null=True)
    role_type_label = serializers.CharField(allow_null=True, help_text="The role as shown to people.")
    work_email = serializers.CharField(allow_null=True)
    work_phone = serializers.CharField(allow_null=True)


class OfficersCoverageSerializer(serializers.Serializer):
    la_code = serializers.IntegerField(help_text="The borough's DfE LA code.")
    la_name = serializers.CharField(source="borough")
    gss_code = serializers.CharField(help_text="The borough's ONS GSS code.")
    bcu = serializers.CharField(source="bcu_slug", help_text="The BCU's slug.")
    schools = serializers.IntegerField()
    covered = serializers.IntegerField()
    percent = serializers.SerializerMethodField(
        help_text="Schools covered, as a percentage (0-100, one decimal place)."
    )

    def get_percent(self, row) -> float:
        return round(100 * row["covered"] / row["schools"], 1) if row["schools"] else 0.0


class OfficersWhatIfSerializer(serializers.Serializer):
    bcu = bcu_slug_field()
    officer_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    cut = serializers.IntegerField(min_value=0, max_value=200, required=False, default=0)

    def validate(self, data):
        if not data["officer_ids"] and not data["cut"]:
            raise serializers.ValidationError({"cut": ["Give officer_ids who leave, or how many officers are cut."]})
        return data
