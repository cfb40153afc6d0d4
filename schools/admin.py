"""The register comes from GIAS and the reference data migration: the admin shows it and never edits it."""

from django.contrib import admin

from .models import BasicCommandUnit, GiasImport, LocalAuthority, School, SchoolChange, SchoolLink


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the GIAS import (`import_gias`) and data migrations, which keep them consistent."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BasicCommandUnit)
class BasicCommandUnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "gss_code", "area", "bcu"]
    list_filter = ["area", "bcu"]
    list_select_related = ["bcu"]
    search_fields = ["name", "=code", "gss_code"]


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ["name", "urn", "local_authority", "phase", "status", "type_name", "postcode"]
    list_filter = ["status", "phase", "local_authority__bcu", "local_authority", "type_group_name"]
    list_select_related = ["local_authority"]
    search_fields = ["name", "=urn", "postcode"]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]


@admin.register(GiasImport)
class GiasImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "started_at", "all_regions", "full_extract", "created", "updated", "closed", "skipped"]
    list_filter = ["all_regions", "full_extract"]
    date_hierarchy = "started_at"


@admin.register(SchoolLink)
class SchoolLinkAdmin(ReadOnlyAdmin):
    """The GIAS links file as last read (`gias_refresh`): predecessors, successors and other links."""

    list_display = ["urn", "link_type", "link_urn", "link_name", "established_on"]
    list_filter = ["link_type"]
    search_fields = ["=urn", "=link_urn", "link_name"]
    show_full_result_count = False


@admin.register(SchoolChange)
class SchoolChangeAdmin(ReadOnlyAdmin):
    """Closures and successions: decided on the review pages (`/schools/changes/`), which preview, audit and undo
    them; the admin only shows them."""

    list_display = ["__str__", "kind", "status", "link_type", "found_at", "decided_at", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["decided_by"]
    search_fields = ["=school__urn", "=successor__urn", "school__name", "successor__name"]
    date_hierarchy = "found_at"
    readonly_fields = [f.name for f in SchoolChange._meta.fields]
