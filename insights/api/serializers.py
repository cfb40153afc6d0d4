"""Insights API shapes. Pupil counts reach people who may not see the pupils as a label only ("fewer than 5"), with
the number left out (null)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from insights.selectors import MEASURES, PHASE_GROUPS
from schools.api.serializers import LinkedSchoolSerializer
from schools.models import School
from wands.models import WandRequest

SUPPRESSED_HELP = (
    "Pupils. If you may not see them: null when 1 to 4 (the label says 'fewer than 5'), otherwise rounded to the "
    "nearest 5."
)


class InsightsQuerySerializer(serializers.Serializer):
    bcu = serializers.ChoiceField(choices=[], required=False, allow_blank=True, help_text="A BCU slug in your scope.")
    phase = serializers.ChoiceField(choices=list(PHASE_GROUPS), required=False, allow_blank=True)

    def __init__(self, *args, bcus=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bcus = {bcu.slug: bcu for bcu in bcus}
        self.fields["bcu"].choices = list(self.bcus)


class InsightsMapQuerySerializer(InsightsQuerySerializer):
    measure = serializers.ChoiceField(choices=list(MEASURES), required=False, allow_blank=True)


class InsightsBoroughSerializer(serializers.Serializer):
    la_code = serializers.IntegerField(help_text="DfE LA code (0 for the totals row).")
    la_name = serializers.CharField(source="name")
    gss_code = serializers.CharField(help_text="ONS GSS code (empty for the totals row).")
    bcu = serializers.CharField(
        source="bcu_slug", allow_null=True, help_text="The BCU's slug; null for the City of London (its own police)."
    )
    open_schools = serializers.IntegerField()
    schools_taken_up = serializers.IntegerField()
    take_up_percent = serializers.FloatField(allow_null=True)
    wands_delivered = serializers.IntegerField()
    schools_with_officer = serializers.IntegerField(allow_null=True)
    officer_cover_percent = serializers.FloatField(allow_null=True, help_text="Null where the Met does not police.")
    stepping_stones_pupils = serializers.SerializerMethodField(help_text=SUPPRESSED_HELP)
    stepping_stones_pupils_label = serializers.CharField(source="stepping_stones_enrolled_display")
    stepping_stones_places = serializers.IntegerField()
    toolkit_downloads_12_months = serializers.IntegerField(source="toolkit_downloads")

    def get_stepping_stones_pupils(self, row) -> int | None:
        return row.stepping_stones_enrolled_shown

    def to_representation(self, row):
        data = super().to_representation(row)
        if not row.police_area:
            data["schools_with_officer"] = None
        return data


class InsightsDashboardSerializer(serializers.Serializer):
    bcu = serializers.CharField(allow_null=True)
    phase = serializers.CharField()
    stepping_stones_cohort = serializers.CharField()
    small_counts_suppressed = serializers.BooleanField()
    as_of = serializers.DateTimeField()
    boroughs = InsightsBoroughSerializer(many=True)
    totals = InsightsBoroughSerializer()


class InsightsBinSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()
    label = serializers.CharField()
    colour = serializers.CharField(source="fill")


class InsightsMapValueSerializer(serializers.Serializer):
    la_code = serializers.IntegerField(help_text="DfE LA code.")
    la_name = serializers.CharField(source="name")
    gss_code = serializers.CharField(help_text="ONS GSS code.")
    abbreviation = serializers.CharField()
    col = serializers.IntegerField()
    row = serializers.IntegerField()
    bcu = serializers.CharField(source="bcu_slug", allow_null=True, help_text="The BCU's slug; null for the City.")
    in_scope = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    display = serializers.CharField()
    suppressed = serializers.BooleanField()
    reason = serializers.CharField()
    colour = serializers.CharField()


class InsightsMapSerializer(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()
    percent = serializers.BooleanField()
    bins = InsightsBinSerializer(many=True)
    boroughs = InsightsMapValueSerializer(many=True)


class InsightsActivitySerializer(serializers.Serializer):
    programme = serializers.CharField()
    label = serializers.CharField()
    display = serializers.CharField()


class InsightsWandRequestSerializer(serializers.Serializer):
    reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=WandRequest.Status.choices)


class InsightsOfficerSerializer(serializers.Serializer):
    name = serializers.CharField()
    rank = serializers.CharField(source="get_rank_display")
    role = serializers.CharField(source="get_role_type_display")
    work_email = serializers.CharField()
    work_phone = serializers.CharField()


class InsightsAssignmentSerializer(serializers.Serializer):
    officer = serializers.CharField(source="officer.name")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class InsightsSchoolPlacesSerializer(serializers.Serializer):
    cohort = serializers.CharField(source="cohort_name")
    participating = serializers.BooleanField()
    places = serializers.IntegerField()
    pupils_in_programme = serializers.SerializerMethodField(help_text=SUPPRESSED_HELP)
    pupils_in_programme_label = serializers.CharField(source="pupils_in_programme_display")
    pupils_referred = serializers.SerializerMethodField(help_text=SUPPRESSED_HELP)
    pupils_referred_label = serializers.CharField(source="pupils_referred_display")

    @staticmethod
    def _count(places, value: int) -> int | None:
        return places.shown(value)

    def get_pupils_in_programme(self, places) -> int | None:
        return self._count(places, places.pupils_in_programme)

    def get_pupils_referred(self, places) -> int | None:
        return self._count(places, places.pupils_referred)


class InsightsSchoolProfileSerializer(serializers.Serializer):
    urn = serializers.IntegerField(source="school.urn")
    name = serializers.CharField(source="school.name")
    la_code = serializers.IntegerField(source="school.local_authority.code", help_text="DfE LA code.")
    la_name = serializers.CharField(source="school.local_authority.name")
    gss_code = serializers.CharField(source="school.local_authority.gss_code", help_text="ONS GSS code.")
    bcu = serializers.SerializerMethodField(help_text="The BCU's slug; null for the City of London.")
    activity = InsightsActivitySerializer(many=True)
    wand_allowance = serializers.SerializerMethodField()
    wand_requests = InsightsWandRequestSerializer(many=True)
    named_officer = InsightsOfficerSerializer(allow_null=True)
    named_officer_since = serializers.DateField(source="officer_since", allow_null=True)
    officer_history = InsightsAssignmentSerializer(many=True)
    stepping_stones = InsightsSchoolPlacesSerializer()
    toolkit_downloads_12_months = serializers.IntegerField(source="toolkit_downloads_year")
    toolkit_downloads_total = serializers.IntegerField()
    predecessors = serializers.SerializerMethodField(help_text="Schools this one took over (GIAS links)")
    successors = serializers.SerializerMethodField(help_text="Schools that took this one over (GIAS links)")

    @extend_schema_field(LinkedSchoolSerializer(many=True))
    def get_predecessors(self, profile) -> list[dict]:
        return LinkedSchoolSerializer(profile.links.get("predecessors", []), many=True).data

    @extend_schema_field(LinkedSchoolSerializer(many=True))
    def get_successors(self, profile) -> list[dict]:
        return LinkedSchoolSerializer(profile.links.get("successors", []), many=True).data

    def get_bcu(self, profile) -> str | None:
        bcu = profile.school.local_authority.bcu
        return bcu.slug if bcu else None

    def get_wand_allowance(self, profile) -> dict[str, int]:
        figures = profile.allowance
        return {name: getattr(figures, name) for name in ("allowance", "in_progress", "received", "remaining")}


class BoroughSchoolFiguresRowSerializer(serializers.Serializer):
    urn = serializers.IntegerField()
    name = serializers.CharField()
    phase = serializers.CharField()
    status = serializers.ChoiceField(choices=School.Status.choices)
    wands_taken_up = serializers.BooleanField(
        help_text="A wand request approved and not cancelled (or a predecessor's)"
    )
    wands_delivered = serializers.IntegerField()
    police_contact = serializers.BooleanField(
        allow_null=True, help_text="Has a named police contact now; null in the City of London (its own police force)"
    )


class BoroughSchoolFiguresSerializer(serializers.Serializer):
    la_code = serializers.IntegerField(help_text="DfE local authority code")
    gss_code = serializers.CharField(help_text="ONS GSS code")
    la_name = serializers.CharField()
    as_of = serializers.DateTimeField()
    open_schools = serializers.IntegerField()
    schools_taken_up = serializers.IntegerField()
    wands_delivered = serializers.IntegerField()
    schools_with_police_contact = serializers.IntegerField(allow_null=True)
    toolkit_downloads_12_months = serializers.IntegerField()
    schools = BoroughSchoolFiguresRowSerializer(many=True)
