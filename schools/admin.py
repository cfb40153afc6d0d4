"""The register comes from GIAS and the reference data migration: the admin shows it and never edits it."""

from django.contrib import admin

from .models import BasicCommandUnit, GiasImport, LocalAuthority, School


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
