from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit is evidence: it can be searched and read here, never added to, changed or deleted."""

    list_display = ["created_at", "actor_label", "verb", "target_type", "target_label", "from_state", "to_state"]
    list_filter = ["verb", "target_type"]
    search_fields = ["verb", "target_id", "request_id", "actor_label"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    show_full_result_count = False
    ordering = ["-created_at", "-id"]
    fields = [
        "created_at",
        "actor",
        "actor_label",
        "verb",
        "target_type",
        "target_id",
        "target_label",
        "from_state",
        "to_state",
        "reason",
        "data",
        "request_id",
    ]
    readonly_fields = fields
    raw_id_fields = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
