from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.identity.selectors import api_token_state
from accounts.identity.services import TOKEN_MAX_DAYS
from accounts.models import ApiToken


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField(help_text="Role name, e.g. 'headteacher' (see docs/roles.md).")
    label = serializers.CharField()
    where = serializers.CharField(help_text="School, BCUs, organisation or 'The programme'.")
    school_urn = serializers.IntegerField(allow_null=True)
    bcus = serializers.ListField(child=serializers.CharField())
    organisation_id = serializers.IntegerField(allow_null=True)
    granted_by = serializers.CharField(allow_null=True)
    granted_at = serializers.DateTimeField()
    review_due = serializers.DateTimeField(allow_null=True)


class TwoFactorSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    totp = serializers.BooleanField(help_text="An authenticator app is set up.")
    recovery_codes = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    roles = RoleSerializer(many=True)
    two_factor = TwoFactorSerializer()
    viewing_as = serializers.BooleanField(help_text="True while a programme admin views the service as this user.")


API_TOKEN_STATES = ["active", "expired", "revoked"]


class ApiTokenSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "state"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=API_TOKEN_STATES))
    def get_state(self, token) -> str:
        return api_token_state(token)


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    otp_code = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Required when two-factor sign-in is set up."
    )
    days = serializers.IntegerField(min_value=1, max_value=TOKEN_MAX_DAYS, default=30)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The token itself. Shown in this response only: store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TwoFactorResetSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="How the person's identity was checked.")


class TwoFactorResetResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    two_factor = TwoFactorSerializer()
