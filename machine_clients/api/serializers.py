from rest_framework import serializers

from core.api.machine_scopes import SCOPES
from machine_clients.models import MachineClient
from machine_clients.services import VALID_FOR_DAYS


class MachineClientSerializer(serializers.ModelSerializer):
    client_id = serializers.CharField(source="application.client_id", read_only=True)
    la_code = serializers.IntegerField(
        source="local_authority_id", read_only=True, allow_null=True, help_text="DfE local authority code, or null"
    )
    la_name = serializers.CharField(
        source="local_authority.name", read_only=True, allow_null=True, default=None, help_text="Its name, or null"
    )
    gss_code = serializers.CharField(
        source="local_authority.gss_code", read_only=True, allow_null=True, default=None, help_text="ONS GSS code"
    )
    organisation_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The verified organisation, for a system that is not a council's"
    )
    owner_name = serializers.CharField(read_only=True, help_text="The local authority's or organisation's name")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=list(SCOPES)), read_only=True)
    status = serializers.ChoiceField(choices=MachineClient.Status.choices, read_only=True)

    class Meta:
        model = MachineClient
        fields = [
            "id",
            "name",
            "client_id",
            "la_code",
            "la_name",
            "gss_code",
            "organisation_id",
            "owner_name",
            "scopes",
            "status",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class MachineClientRegisteredSerializer(MachineClientSerializer):
    client_secret = serializers.CharField(read_only=True, help_text="Shown once: only its hash is kept.")

    class Meta(MachineClientSerializer.Meta):
        fields = [*MachineClientSerializer.Meta.fields, "client_secret"]
        read_only_fields = fields


class MachineClientRegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the system is, e.g. 'Camden nightly schools import'.")
    la_code = serializers.IntegerField(
        required=False, help_text="DfE code of the London local authority the system belongs to (or organisation_id)"
    )
    organisation_id = serializers.IntegerField(
        required=False, help_text="A verified organisation the system belongs to, instead of a local authority"
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)), min_length=1, help_text="What the system may read"
    )
    days = serializers.ChoiceField(choices=list(VALID_FOR_DAYS), help_text="How long the credentials work")


class MachineClientRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
