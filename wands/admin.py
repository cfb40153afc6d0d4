"""Read-only views of the wands data: every change goes through the services (audit, ledger, emails)."""

from django.contrib import admin

from .models import AllowanceChange, AllowanceRule, ExistingDelivery, StockLevel, StockMovement, WandIssue, WandRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WandRequest)
class WandRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "school", "quantity", "status", "created_at", "decided_at", "dispatched_at"]
    list_filter = ["status", "school__local_authority__bcu"]
    list_select_related = ["school"]
    search_fields = ["=id", "school__name", "=school__urn", "tracking_reference"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "quantity", "on_hand_change", "reserved_change", "batch", "wand_request"]
    list_filter = ["kind"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["on_hand", "reserved"]


@admin.register(AllowanceRule)
class AllowanceRuleAdmin(ReadOnlyAdmin):
    list_display = ["phase", "min_pupils", "wands", "updated_at"]


@admin.register(AllowanceChange)
class AllowanceChangeAdmin(ReadOnlyAdmin):
    list_display = ["school", "from_override", "to_override", "reason", "changed_by", "changed_at"]


@admin.register(ExistingDelivery)
class ExistingDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["school", "quantity", "delivered_on", "imported_at"]


@admin.register(WandIssue)
class WandIssueAdmin(ReadOnlyAdmin):
    list_display = ["wand_request", "kind", "outcome", "quantity", "reported_at", "status", "resolved_at"]
