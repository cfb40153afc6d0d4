from rest_framework import serializers

from core.api.rows import iso_datetime
from wands.models import AllowanceRule, StockMovement, WandIssue, WandRequest, reference_for


class WandRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    school_urn = serializers.IntegerField(source="school_id", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    la_code = serializers.IntegerField(source="school.local_authority_id", read_only=True, help_text="DfE LA code")
    la_name = serializers.CharField(source="school.local_authority.name", read_only=True)
    gss_code = serializers.CharField(source="school.local_authority.gss_code", read_only=True, help_text="ONS GSS code")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    replaces = serializers.SerializerMethodField()

    class Meta:
        model = WandRequest
        fields = [
            "id",
            "reference",
            "school_urn",
            "school_name",
            "la_code",
            "la_name",
            "gss_code",
            "quantity",
            "status",
            "status_label",
            "contact_name",
            "contact_phone",
            "delivery_address",
            "delivery_postcode",
            "created_at",
            "decided_at",
            "decision_reason",
            "reserved_at",
            "courier",
            "tracking_reference",
            "dispatched_at",
            "delivered_at",
            "replaces",
        ]
        read_only_fields = fields

    def get_replaces(self, obj) -> str | None:
        return reference_for(obj.replaces_id) if obj.replaces_id else None


# The list endpoint builds WandRequestSerializer's shape from these `.values()` (core.api.rows; tests/bench checks both
# give the same output): the ModelSerializer list cost 2.8x the bare rows on 500,000 requests (docs/performance.md).
WAND_REQUEST_LIST_VALUES = (
    "id",
    "school_id",
    "school__name",
    "school__local_authority_id",
    "school__local_authority__name",
    "school__local_authority__gss_code",
    "quantity",
    "status",
    "contact_name",
    "contact_phone",
    "delivery_address",
    "delivery_postcode",
    "created_at",
    "decided_at",
    "decision_reason",
    "reserved_at",
    "courier",
    "tracking_reference",
    "dispatched_at",
    "delivered_at",
    "replaces_id",
)
_STATUS_LABELS = {value: str(label) for value, label in WandRequest.Status.choices}


def wand_request_row(row: dict) -> dict:
    replaces = row["replaces_id"]
    return {
        "id": row["id"],
        "reference": reference_for(row["id"]),
        "school_urn": row["school_id"],
        "school_name": row["school__name"],
        "la_code": row["school__local_authority_id"],
        "la_name": row["school__local_authority__name"],
        "gss_code": row["school__local_authority__gss_code"],
        "quantity": row["quantity"],
        "status": row["status"],
        "status_label": _STATUS_LABELS.get(row["status"], row["status"]),
        "contact_name": row["contact_name"],
        "contact_phone": row["contact_phone"],
        "delivery_address": row["delivery_address"],
        "delivery_postcode": row["delivery_postcode"],
        "created_at": iso_datetime(row["created_at"]),
        "decided_at": iso_datetime(row["decided_at"]),
        "decision_reason": row["decision_reason"],
        "reserved_at": iso_datetime(row["reserved_at"]),
        "courier": row["courier"],
        "tracking_reference": row["tracking_reference"],
        "dispatched_at": iso_datetime(row["dispatched_at"]),
        "delivered_at": iso_datetime(row["delivered_at"]),
        "replaces": reference_for(replaces) if replaces else None,
    }


class WandRequestCreateSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=100)
    contact_name = serializers.CharField(max_length=120)
    contact_phone = serializers.CharField(max_length=30)
    delivery_address = serializers.CharField(required=False, allow_blank=True)
    delivery_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    policy_confirmed = serializers.BooleanField()
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Send the same key again (or the Idempotency-Key header) to get the same request, not a new one.",
    )


class WandReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WandRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The school sees it.")


class WandApproveManySerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class WandApprovalResultSerializer(serializers.Serializer):
    request = WandRequestSerializer(source="wand_request")
    reserved = serializers.BooleanField()
    wands_short = serializers.IntegerField(help_text="Wands the whole waiting queue needs beyond stock.")
    waits_for = serializers.IntegerField(help_text="How many of this request's own wands stock cannot cover yet.")


class WandDispatchSerializer(serializers.Serializer):
    courier = serializers.CharField(max_length=80)
    tracking_reference = serializers.CharField(max_length=80)
    serials = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)


class WandIssueSerializer(serializers.ModelSerializer):
    replacement = serializers.SerializerMethodField()

    class Meta:
        model = WandIssue
        fields = [
            "id",
            "kind",
            "outcome",
            "quantity",
            "details",
            "reported_at",
            "status",
            "resolved_at",
            "replacement",
            "pickup",
            "pickup_arranged_at",
            "pickup_collected_at",
        ]
        read_only_fields = [
            "id",
            "reported_at",
            "status",
            "resolved_at",
            "replacement",
            "pickup",
            "pickup_arranged_at",
            "pickup_collected_at",
        ]

    def get_replacement(self, obj) -> str | None:
        return obj.replacement.reference if obj.replacement_id else None


class WandAllowanceSerializer(serializers.Serializer):
    school_urn = serializers.IntegerField(source="school.pk")
    allowance = serializers.IntegerField()
    from_override = serializers.BooleanField()
    override_reason = serializers.CharField()
    in_progress = serializers.IntegerField()
    received = serializers.IntegerField()
    remaining = serializers.IntegerField()


class WandOverrideSerializer(serializers.Serializer):
    override = serializers.IntegerField(min_value=0, max_value=100, allow_null=True)
    reason = serializers.CharField()


class WandStockLevelSerializer(serializers.Serializer):
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    wands_short = serializers.IntegerField()


class WandStockMovementSerializer(serializers.ModelSerializer):
    request = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "kind",
            "quantity",
            "on_hand_change",
            "reserved_change",
            "batch",
            "serials",
            "note",
            "request",
            "created_at",
        ]
        read_only_fields = fields

    def get_request(self, obj) -> str | None:
        return reference_for(obj.wand_request_id) if obj.wand_request_id else None


STOCK_MOVEMENT_LIST_VALUES = (
    "id",
    "kind",
    "quantity",
    "on_hand_change",
    "reserved_change",
    "batch",
    "serials",
    "note",
    "wand_request_id",
    "created_at",
)


def stock_movement_row(row: dict) -> dict:
    """WandStockMovementSerializer's shape from `.values()` (the stock ledger list; tests/bench compares the two)."""
    request = row["wand_request_id"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "quantity": row["quantity"],
        "on_hand_change": row["on_hand_change"],
        "reserved_change": row["reserved_change"],
        "batch": row["batch"],
        "serials": row["serials"],
        "note": row["note"],
        "request": reference_for(request) if request else None,
        "created_at": iso_datetime(row["created_at"]),
    }


class WandStockDeliverySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    batch = serializers.CharField(max_length=80)
    serials = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WandWriteOffSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    note = serializers.CharField()


class WandCsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class WandAllowanceRuleSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(write_only=True, help_text="Why the rule is changing (audited).")

    class Meta:
        model = AllowanceRule
        fields = ["id", "phase", "min_pupils", "wands", "updated_at", "reason"]
        read_only_fields = ["id", "updated_at"]
        # A band is named by phase and pupil numbers: both must be sent (the model's defaults would hide a missing one).
        extra_kwargs = {"phase": {"required": True, "allow_blank": True}, "min_pupils": {"required": True}}
        validators = []  # setting a band that exists changes it


class WandReturnReceivedSerializer(serializers.Serializer):
    working = serializers.BooleanField(help_text="Working wands go back to stock; faulty ones are written off.")


class WandPickupCollectedSerializer(serializers.Serializer):
    working = serializers.BooleanField(help_text="Working wands go back to stock; faulty ones are written off.")
