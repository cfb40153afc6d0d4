from rest_framework import serializers

from officers.models import Officer, OfficerRequest


class OfficersOfficerSerializer(serializers.ModelSerializer):
    bcu = serializers.CharField(source="bcu.name", read_only=True)
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
    "bcu__name",
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
        "bcu": row["bcu__name"],
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
    bcu_id = serializers.IntegerField()
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
    borough = serializers.CharField(source="local_authority.name")
    bcu = serializers.CharField(source="local_authority.bcu.name")
    request_kind = serializers.CharField(allow_null=True)
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
    bcu_id = serializers.IntegerField()
    allow_moves = serializers.BooleanField(default=False)


class OfficersProposalSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    officer_id = serializers.IntegerField()


class OfficersOptimiserApplySerializer(serializers.Serializer):
    bcu_id = serializers.IntegerField()
    allow_moves = serializers.BooleanField(default=False)
    proposals = OfficersProposalSerializer(many=True, allow_empty=False)


class OfficersRunStartSerializer(serializers.Serializer):
    bcu_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_empty=False, help_text="Default: all your BCUs."
    )
    allow_moves = serializers.BooleanField(default=False)


class OfficersRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    params = serializers.DictField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    areas = serializers.SerializerMethodField(help_text="Per BCU, when done: totals, proposed rows, uncovered schools.")

    def get_areas(self, run) -> list[dict]:
        return run.result.get("areas", []) if run.status == "done" else []


class OfficersRunProposalSerializer(serializers.Serializer):
    bcu_id = serializers.IntegerField()
    school_urn = serializers.IntegerField()
    officer_id = serializers.IntegerField()


class OfficersRunApplySerializer(serializers.Serializer):
    proposals = OfficersRunProposalSerializer(many=True, allow_empty=False)


class OfficersWeightOverrideSerializer(serializers.Serializer):
    weight = serializers.IntegerField(min_value=1, max_value=200)
    reason = serializers.CharField(max_length=300)


class OfficersOfficerRequestCreateSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OfficerRequest.Kind.choices)
    reason = serializers.CharField(max_length=1000)


class OfficersNamedOfficerSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    school_name = serializers.CharField()
    officer_name = serializers.CharField(allow_null=True)
    rank = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)
    work_email = serializers.CharField(allow_null=True)
    work_phone = serializers.CharField(allow_null=True)


class OfficersCoverageSerializer(serializers.Serializer):
    borough = serializers.CharField()
    bcu = serializers.CharField()
    schools = serializers.IntegerField()
    covered = serializers.IntegerField()
    percent = serializers.IntegerField()


class OfficersWhatIfSerializer(serializers.Serializer):
    bcu_id = serializers.IntegerField()
    officer_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    cut = serializers.IntegerField(min_value=0, max_value=200, required=False, default=0)

    def validate(self, data):
        if not data["officer_ids"] and not data["cut"]:
            raise serializers.ValidationError({"cut": ["Give officer_ids who leave, or how many officers are cut."]})
        return data
