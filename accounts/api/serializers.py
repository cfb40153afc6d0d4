"""Input and output shapes of the roles API. Input serializers parse only; the services decide."""

from rest_framework import serializers

from schools.models import LocalAuthority, School

from ..models import (
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    SchoolDuty,
    SchoolMembership,
)

# Statuses computed from dates (not stored): the enums of the schema.
INVITATION_STATUSES = ["pending", "accepted", "revoked", "expired"]
ORGANISATION_INVITATION_STATUSES = ["pending", "accepted", "expired"]


class SchoolUrnField(serializers.IntegerField):
    """A school from the register by URN (400 if there is none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The school's 6-digit URN")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        urn = super().to_internal_value(data)
        if not 100000 <= urn <= 999999:
            raise serializers.ValidationError("Enter a URN of 6 digits")
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise serializers.ValidationError("No school in the register has that URN")
        return school

    def to_representation(self, value):
        return value.urn if isinstance(value, School) else value


class InvitationsResendSerializer(serializers.Serializer):
    invitations = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=200,
        help_text="Ids of expired, unanswered invitations (from GET) to send again: all or none are sent.",
    )


class InvitationSerializer(serializers.ModelSerializer):
    school_urn = serializers.IntegerField(source="school_id")
    school_name = serializers.CharField(source="school.name")
    status = serializers.ChoiceField(choices=INVITATION_STATUSES, read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", allow_null=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "school_urn",
            "school_name",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    urn = SchoolUrnField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Invitation.Role.choices, default=Invitation.Role.HEADTEACHER)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The secret from the invitation link")


class JoinRequestSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email")
    user_name = serializers.CharField(source="user.get_full_name")
    school_urn = serializers.IntegerField(source="school_id")
    school_name = serializers.CharField(source="school.name")
    status = serializers.ChoiceField(choices=JoinRequest.Status.choices, read_only=True)

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "user_email",
            "user_name",
            "school_urn",
            "school_name",
            "message",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class JoinRequestCreateSerializer(serializers.Serializer):
    urn = SchoolUrnField()
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Kept in the audit record")


class DutySerializer(serializers.Serializer):
    duty = serializers.ChoiceField(choices=SchoolDuty.Duty.choices)


class DutyRemoveSerializer(DutySerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DutyOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchoolDuty
        fields = ["id", "duty", "granted_at", "confirmed_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email")
    user_name = serializers.CharField(source="user.get_full_name")
    school_urn = serializers.IntegerField(source="school_id")
    duties = DutyOutSerializer(source="current_duties", many=True)
    granted_by = serializers.EmailField(source="granted_by.email", allow_null=True, default=None)

    class Meta:
        model = SchoolMembership
        fields = [
            "id",
            "user_email",
            "user_name",
            "school_urn",
            "role",
            "duties",
            "granted_by",
            "granted_at",
            "ended_at",
        ]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    la_code = serializers.IntegerField(source="borough_id", help_text="The borough's DfE LA code")
    la_name = serializers.CharField(source="borough.name")
    gss_code = serializers.CharField(source="borough.gss_code", help_text="The borough's ONS GSS code")
    status = serializers.ChoiceField(choices=Organisation.Status.choices, read_only=True)
    # Not a URLField: an organisation without a web site has "" here, which is not a `uri` (response conformance).
    website = serializers.CharField(read_only=True, help_text="The organisation's web address, or empty.")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "type",
            "la_code",
            "la_name",
            "gss_code",
            "website",
            "description",
            "status",
            "decline_reason",
            "created_at",
            "verified_at",
        ]
        read_only_fields = fields


class OrganisationRegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=Organisation.Type.choices)
    la_code = serializers.PrimaryKeyRelatedField(
        queryset=LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE),
        help_text="The DfE LA code of the London borough, e.g. 204",
    )
    website = serializers.URLField(required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrganisationInvitationSerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField()
    organisation_name = serializers.CharField(source="organisation.name")
    status = serializers.ChoiceField(choices=ORGANISATION_INVITATION_STATUSES, read_only=True)

    class Meta:
        model = OrganisationInvitation
        fields = ["id", "email", "organisation_id", "organisation_name", "status", "created_at", "expires_at"]
        read_only_fields = fields


class OrganisationInvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()


class OrganisationMembershipSerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField()
    organisation_name = serializers.CharField(source="organisation.name")

    class Meta:
        model = OrganisationMembership
        fields = ["id", "organisation_id", "organisation_name", "granted_at"]
        read_only_fields = fields


class RoleConfirmedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["duty", "police", "programme"])
    id = serializers.IntegerField(source="pk")
    confirmed_at = serializers.DateTimeField()
    review_due = serializers.DateTimeField(help_text="When the role lapses unless confirmed again")
