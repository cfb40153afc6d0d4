"""Read-only views of the sign-up records for support: writes go through services (consent records are evidence)."""

from django.contrib import admin

from .models import ConsentRecord, ConsentStatement, Subscriber, Topic, UpdateMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "order", "is_active"]


@admin.register(ConsentStatement)
class ConsentStatementAdmin(ReadOnlyAdmin):
    list_display = ["version", "created_at"]


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "statement", "given_at", "confirmed_at", "withdrawn_at"]
    list_select_related = ["statement"]


@admin.register(UpdateMessage)
class UpdateMessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "topic", "recipients", "created_at"]
    list_select_related = ["topic"]
