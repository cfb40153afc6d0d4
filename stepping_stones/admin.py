"""Read-only admin for Stepping Stones: cohorts, places and needs. Pupil records are NOT in the admin: they are seen
only by the leads of the two schools and VRU coordinators, through the service (which logs every view)."""

from django.contrib import admin

from .models import Cohort, Need, ParticipatingSchool


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["transition_year", "status", "ends_on", "retention_applied_at"]


@admin.register(ParticipatingSchool)
class ParticipatingSchoolAdmin(ReadOnlyAdmin):
    list_display = ["cohort", "school", "places", "places_taken"]
    list_select_related = ["cohort", "school"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ["name", "is_active", "order"]
