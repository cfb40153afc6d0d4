"""Stepping Stones API shapes. Pupil details appear only in the referral detail (for people who may see the record);
lists carry the reference, schools, status and dates, never a name, UPN or date of birth."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.rows import iso_datetime
from core.uploads import MaxUploadSize
from stepping_stones.models import Cohort, Consent, Need, ParticipatingSchool, PossibleDuplicate, Referral
from stepping_stones.services import MAX_CSV_BYTES

# --- output ------------------------------------------------------------------------------------------------------


class SteppingStonesCohortSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    year6 = serializers.CharField(source="year6_label", read_only=True)
    status = serializers.ChoiceField(choices=Cohort.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Cohort
        fields = ["transition_year", "name", "year6", "status", "status_label", "ends_on", "retention_applied_at"]
        read_only_fields = fields


class SteppingStonesParticipatingSchoolSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="cohort.transition_year", read_only=True)
    school_urn = serializers.IntegerField(source="school_id", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    la_code = serializers.IntegerField(source="school.local_authority_id", read_only=True, help_text="DfE LA code")
    la_name = serializers.CharField(source="school.local_authority.name", read_only=True)
    gss_code = serializers.CharField(source="school.local_authority.gss_code", read_only=True, help_text="ONS GSS code")
    places_filled = serializers.IntegerField(source="places_taken", read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    feeder_primaries = serializers.SerializerMethodField()

    class Meta:
        model = ParticipatingSchool
        fields = [
            "cohort",
            "school_urn",
            "school_name",
            "la_code",
            "la_name",
            "gss_code",
            "places",
            "places_filled",
            "places_left",
            "feeder_primaries",
        ]
        read_only_fields = fields

    def get_feeder_primaries(self, obj) -> list[dict]:
        return [{"urn": school.pk, "name": school.name} for school in obj.feeder_primaries.all()]


class SteppingStonesNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "name", "description", "is_active"]
        read_only_fields = ["id"]


class SteppingStonesReferralListSerializer(serializers.ModelSerializer):
    """A row of a list: no pupil details."""

    cohort = serializers.IntegerField(source="cohort.transition_year", read_only=True)
    referring_school_urn = serializers.IntegerField(source="referring_school_id", read_only=True)
    referring_school_name = serializers.CharField(source="referring_school.name", read_only=True)
    receiving_school_urn = serializers.IntegerField(source="receiving_school_id", read_only=True, allow_null=True)
    receiving_school_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Referral.Status.choices, read_only=True, help_text="The workflow state")
    priority = serializers.IntegerField(read_only=True, help_text="1 high, 2 medium, 3 standard")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "reference",
            "cohort",
            "status",
            "status_label",
            "priority",
            "priority_label",
            "referring_school_urn",
            "referring_school_name",
            "receiving_school_urn",
            "receiving_school_name",
            "upn_is_temporary",
            "created_at",
            "submitted_at",
            "decided_at",
            "waitlisted_at",
        ]
        read_only_fields = fields

    def get_receiving_school_name(self, obj) -> str | None:
        return obj.receiving_school.name if obj.receiving_school_id else None


# The list's rows straight from `.values()` (core.api.rows): no model instances, and no pupil field is ever read
# for a list. tests/bench/test_api_rows.py checks each row equals SteppingStonesReferralListSerializer's.
REFERRAL_LIST_VALUES = (
    "reference",
    "cohort__transition_year",
    "status",
    "priority",
    "referring_school_id",
    "referring_school__name",
    "receiving_school_id",
    "receiving_school__name",
    "upn_is_temporary",
    "created_at",
    "submitted_at",
    "decided_at",
    "waitlisted_at",
    "id",
)
_STATUS_LABELS = dict(Referral.Status.choices)
_PRIORITY_LABELS = dict(Referral._meta.get_field("priority").flatchoices)


def referral_row(row: dict) -> dict:
    return {
        "reference": row["reference"],
        "cohort": row["cohort__transition_year"],
        "status": row["status"],
        "status_label": _STATUS_LABELS.get(row["status"], row["status"]),
        "priority": row["priority"],
        "priority_label": _PRIORITY_LABELS.get(row["priority"], row["priority"]),
        "referring_school_urn": row["referring_school_id"],
        "referring_school_name": row["referring_school__name"],
        "receiving_school_urn": row["receiving_school_id"],
        "receiving_school_name": row["receiving_school__name"] if row["receiving_school_id"] else None,
        "upn_is_temporary": row["upn_is_temporary"],
        "created_at": iso_datetime(row["created_at"]),
        "submitted_at": iso_datetime(row["submitted_at"]),
        "decided_at": iso_datetime(row["decided_at"]),
        "waitlisted_at": iso_datetime(row["waitlisted_at"]),
    }


class SteppingStonesConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["given_by_name", "relationship", "method", "given_on", "text_version", "recorded_at", "withdrawn_at"]
        read_only_fields = fields


class SteppingStonesProgressSerializer(serializers.Serializer):
    engagement_day_attended = serializers.BooleanField(allow_null=True, required=False)
    summer_school_attended = serializers.BooleanField(allow_null=True, required=False)
    sessions_attended = serializers.IntegerField(min_value=0, max_value=200, required=False)
    peer_mentor_assigned = serializers.BooleanField(required=False)


class SteppingStonesReferralDetailSerializer(SteppingStonesReferralListSerializer):
    """The whole record, for the leads of the two schools and coordinators."""

    needs = serializers.SerializerMethodField()
    consent = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    locked_for_primary = serializers.BooleanField(source="is_locked_for_primary", read_only=True)
    outside_age_group = serializers.SerializerMethodField()

    class Meta(SteppingStonesReferralListSerializer.Meta):
        fields = [
            *SteppingStonesReferralListSerializer.Meta.fields,
            "first_name",
            "last_name",
            "date_of_birth",
            "upn",
            "outside_age_group",
            "outside_age_group_reason",
            "strengths",
            "needs",
            "known_by_name",
            "known_by_role",
            "decline_reason",
            "leave_reason",
            "offered_at",
            "offer_expires_on",
            "consent",
            "progress",
            "locked_for_primary",
            "minimised_at",
            "erased_at",
        ]
        read_only_fields = fields

    def get_needs(self, obj) -> list[str]:
        return [need.name for need in obj.needs.all()]

    def get_outside_age_group(self, obj) -> bool:
        return bool(obj.outside_age_group_reason)

    def get_consent(self, obj) -> dict | None:
        current = next((c for c in obj.consents.all() if c.withdrawn_at is None), None)
        return SteppingStonesConsentSerializer(current).data if current else None

    def get_progress(self, obj) -> dict | None:
        progress = getattr(obj, "progress", None)
        return SteppingStonesProgressSerializer(progress).data if progress else None


# --- input -------------------------------------------------------------------------------------------------------

# Pupil fields are CharFields here so the service gives the message (e.g. what is wrong with a UPN).


class SteppingStonesCohortCreateSerializer(serializers.Serializer):
    transition_year = serializers.IntegerField(min_value=2000, max_value=2100)
    ends_on = serializers.DateField(required=False, allow_null=True)


class SteppingStonesCohortUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Cohort.Status.choices, required=False)
    ends_on = serializers.DateField(required=False)


class SteppingStonesParticipatingSchoolSetSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField(min_value=100000, max_value=999999)
    places = serializers.IntegerField(min_value=1, max_value=500)
    feeder_primary_urns = serializers.ListField(
        child=serializers.IntegerField(min_value=100000, max_value=999999), required=False, max_length=200
    )


class SteppingStonesNeedInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class SteppingStonesReferralCreateSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The transition year, e.g. 2026.")
    referring_school_urn = serializers.IntegerField(min_value=100000, max_value=999999)
    receiving_school_urn = serializers.IntegerField(
        min_value=100000, max_value=999999, required=False, allow_null=True, help_text="Empty: not yet known."
    )
    first_name = serializers.CharField(max_length=100, allow_blank=True)
    last_name = serializers.CharField(max_length=100, allow_blank=True)
    date_of_birth = serializers.CharField(max_length=20, allow_blank=True, help_text="YYYY-MM-DD")
    upn = serializers.CharField(max_length=30, allow_blank=True)
    outside_age_group_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    needs = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=50
    )
    strengths = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    known_by_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    known_by_role = serializers.CharField(max_length=120, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Referral.Priority.choices, required=False)


class SteppingStonesReferralUpdateSerializer(serializers.Serializer):
    receiving_school_urn = serializers.IntegerField(min_value=100000, max_value=999999, required=False, allow_null=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.CharField(max_length=20, required=False, allow_blank=True)
    upn = serializers.CharField(max_length=30, required=False, allow_blank=True)
    outside_age_group_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    needs = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=50
    )
    strengths = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    known_by_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    known_by_role = serializers.CharField(max_length=120, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Referral.Priority.choices, required=False)


class SteppingStonesConsentInputSerializer(serializers.Serializer):
    given_by_name = serializers.CharField(max_length=120, allow_blank=True)
    relationship = serializers.CharField(max_length=20, allow_blank=True)
    method = serializers.CharField(max_length=20, allow_blank=True)
    given_on = serializers.CharField(max_length=20, allow_blank=True, help_text="YYYY-MM-DD")
    text_version = serializers.CharField(max_length=20, allow_blank=True)


class SteppingStonesDestinationSerializer(serializers.Serializer):
    receiving_school_urn = serializers.IntegerField(min_value=100000, max_value=999999)


class SteppingStonesWaitlistSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Referral.Priority.choices, required=False)


class SteppingStonesReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class SteppingStonesOptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SteppingStonesWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    moved_school = serializers.BooleanField(required=False, default=False)


class SteppingStonesAdvanceSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=["enrolled", "active", "completed"])
    # Required by the service (its message, as a 400 on `reason`); no pupil details, it goes into the audit.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SteppingStonesSearchSerializer(serializers.Serializer):
    upn = serializers.CharField(max_length=30, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if not any(attrs.get(key) for key in ("upn", "name", "date_of_birth")):
            raise serializers.ValidationError({"non_field_errors": ["Enter a UPN, a name or a date of birth."]})
        return attrs


class SteppingStonesImportSerializer(serializers.Serializer):
    # Judged by its recorded size, so an oversize file is refused before any of it is read.
    file = serializers.FileField(validators=[MaxUploadSize(MAX_CSV_BYTES, "The file must be smaller than 2 MB.")])


class SteppingStonesAccessLogEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField(source="created_at")
    who = serializers.CharField(source="actor_label")
    what = serializers.SerializerMethodField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.SerializerMethodField()

    def get_what(self, obj) -> str:
        return obj.verb.removeprefix("stepping_stones.")

    def get_detail(self, obj) -> str:
        return str((obj.data or {}).get("what", ""))


class SteppingStonesPossibleDuplicateSerializer(serializers.ModelSerializer):
    """Two referrals with the same UPN from different schools (coordinators): references and statuses only."""

    cohort = serializers.IntegerField(source="cohort.transition_year", read_only=True)
    referrals = serializers.SerializerMethodField()
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    kept = serializers.CharField(source="kept.reference", read_only=True, allow_null=True, default=None)

    class Meta:
        model = PossibleDuplicate
        fields = [
            "id",
            "cohort",
            "referrals",
            "decision",
            "decision_label",
            "kept",
            "reason",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SteppingStonesReferralListSerializer(many=True))
    def get_referrals(self, obj) -> list:
        return SteppingStonesReferralListSerializer([obj.first, obj.second], many=True).data


class SteppingStonesDuplicateMergeSerializer(serializers.Serializer):
    keep = serializers.CharField(max_length=10, help_text="The reference of the record to keep")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SteppingStonesDuplicateDeclineSerializer(serializers.Serializer):
    decline = serializers.CharField(max_length=10, help_text="The reference of the referral to decline")
    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="Its referring school sees it")
