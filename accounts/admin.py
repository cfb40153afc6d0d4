"""Read-only admin views of role records, for support staff. Every change goes through the portal's pages and the
services (which audit it), so nothing here can add, change or delete a role."""

from django.contrib import admin

from .models import (
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchoolMembership)
class SchoolMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "school", "role", "granted_at", "ended_at"]
    list_filter = ["role"]
    list_select_related = ["user", "school"]
    search_fields = ["user__email", "school__name", "=school__urn"]


@admin.register(SchoolDuty)
class SchoolDutyAdmin(ReadOnlyAdmin):
    list_display = ["membership", "duty", "granted_at", "confirmed_at", "ended_at", "lapsed"]
    list_filter = ["duty", "lapsed"]
    list_select_related = ["membership__school"]


@admin.register(PoliceRole)
class PoliceRoleAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "all_london", "granted_at", "confirmed_at", "ended_at", "lapsed"]
    list_filter = ["kind", "all_london", "lapsed"]
    list_select_related = ["user"]
    search_fields = ["user__email"]


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "granted_at", "confirmed_at", "ended_at", "lapsed"]
    list_filter = ["kind", "lapsed"]
    list_select_related = ["user"]
    search_fields = ["user__email"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "borough", "status", "created_at"]
    list_filter = ["type", "status"]
    list_select_related = ["borough"]
    search_fields = ["name"]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "granted_at", "ended_at"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "school", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    list_select_related = ["school"]
    search_fields = ["email", "=school__urn"]
    exclude = ["token_hash"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "school", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["user", "school"]
