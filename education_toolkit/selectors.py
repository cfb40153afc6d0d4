"""Reads of the toolkit, already scoped to what the asking person may see."""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from core.selectors import audit_timeline

from . import permissions
from .models import (
    FACETS,
    DeliveryReport,
    Download,
    FileVersion,
    Resource,
    ResourceFile,
    ResourceTag,
    ResourceType,
    TermsAcceptance,
    UpdateSubscription,
)

# Bump when the terms of use change: everyone is asked to accept the new ones once.
TERMS_VERSION = "2026-1"
SEARCH_FIELDS = ("title", "summary", "learning_objectives", "content_guidance")


def _files_prefetch() -> Prefetch:
    return Prefetch(
        "files",
        queryset=ResourceFile.objects.filter(current_version__isnull=False).select_related("current_version"),
    )


def resources_visible_to(user) -> QuerySet[Resource]:
    """Published resources for everyone; editors see drafts and archived ones too."""
    queryset = Resource.objects.prefetch_related("tags")
    if permissions.is_toolkit_editor(user):
        return queryset
    return queryset.filter(status=Resource.Status.PUBLISHED)


def resources_search(queryset: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """PostgreSQL full-text search (ranked, English stemming) on PostgreSQL; a word-by-word contains elsewhere."""
    text = (text or "").strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("learning_objectives", "content_guidance", weight="C", config="english")
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            queryset.annotate(search=vector, search_rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-search_rank", "title", "id")
        )
    condition = Q()
    for word in text.split()[:10]:
        word_condition = Q()
        for field in SEARCH_FIELDS:
            word_condition |= Q(**{f"{field}__icontains": word})
        condition &= word_condition
    return queryset.filter(condition)


def facet_counts(queryset: QuerySet[Resource]) -> dict[str, dict[str, int]]:
    """How many of these resources carry each facet value, and each type: two queries whatever the size."""
    ids = queryset.order_by().values("pk")
    counts: dict[str, dict[str, int]] = {kind: dict.fromkeys(values, 0) for kind, values in FACETS.items()}
    rows = (
        ResourceTag.objects.filter(resource__in=ids)
        .order_by()
        .values_list("kind", "value")
        .annotate(n=Count("resource_id", distinct=True))
    )
    for kind, value, n in rows:
        if kind in counts and value in counts[kind]:
            counts[kind][value] = n
    counts["resource_type"] = dict.fromkeys(ResourceType.values, 0)
    for value, n in Resource.objects.filter(pk__in=ids).order_by().values_list("resource_type").annotate(n=Count("pk")):
        counts["resource_type"][value] = n
    return counts


def resource_get(*, user, slug: str) -> Resource | None:
    """A resource page: its current files and facets in two more queries."""
    resource = resources_visible_to(user).prefetch_related(_files_prefetch()).filter(slug=slug).first()
    return resource


def resource_for_editor(*, user, pk: int) -> Resource | None:
    if not permissions.is_toolkit_editor(user):
        return None
    return (
        Resource.objects.prefetch_related(
            "tags",
            Prefetch(
                "files",
                queryset=ResourceFile.objects.select_related("current_version").prefetch_related(
                    Prefetch("versions", queryset=FileVersion.objects.order_by("-number"))
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def resource_files(*, resource: Resource) -> list[ResourceFile]:
    return list(resource.files.all())


def related_resources(*, user, resource: Resource, limit: int = 4) -> list[Resource]:
    """Other published resources sharing the most topics, audiences and key stages."""
    tags = [(t.kind, t.value) for t in resource.tags.all() if t.kind in ("topic", "audience", "key_stage")]
    if not tags:
        return []
    shared = Q()
    for kind, value in tags:
        shared |= Q(tags__kind=kind, tags__value=value)
    return list(
        Resource.objects.filter(status=Resource.Status.PUBLISHED)
        .exclude(pk=resource.pk)
        .annotate(shared=Count("tags", filter=shared))
        .filter(shared__gt=0)
        .order_by("-shared", "title")
        .prefetch_related("tags")[:limit]
    )


def resources_for_editor_list() -> QuerySet[Resource]:
    return Resource.objects.annotate(
        file_count=Count("files", distinct=True), download_count=Count("downloads", distinct=True)
    ).order_by("status", "title")


def resource_history(*, resource: Resource):
    return audit_timeline(target=resource)


def user_follows(*, user, resource: Resource) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return UpdateSubscription.objects.filter(user=user, resource=resource).exists()


def user_has_downloaded(*, user, resource: Resource) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Download.objects.filter(user=user, resource=resource).exists()


def file_version_for_download(*, user, version_id: int) -> FileVersion | None:
    """The current version of a file of a resource the person can see (earlier versions are not served)."""
    version = (
        FileVersion.objects.select_related("file__resource").filter(pk=version_id, archived_at__isnull=True).first()
    )
    if version is None or not permissions.can_view_resource(user, version.file.resource):
        return None
    return version


def toolkit_analytics(*, resource_id: int | None = None) -> dict:
    """Downloads by resource, organisation type, borough and month, and reach from delivery reports.

    Aggregates only: counts of download records, never who downloaded."""
    downloads = Download.objects.all()
    reports = DeliveryReport.objects.all()
    if resource_id is not None:
        downloads = downloads.filter(resource_id=resource_id)
        reports = reports.filter(resource_id=resource_id)
    downloads = downloads.order_by()
    type_labels = dict(Download.OrganisationType.choices)
    by_resource = [
        {"resource_id": row["resource_id"], "title": row["resource__title"], "downloads": row["n"]}
        for row in downloads.values("resource_id", "resource__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "resource__title")
    ]
    by_type = [
        {
            "organisation_type": row["organisation_type"],
            "label": type_labels.get(row["organisation_type"], ""),
            "downloads": row["n"],
        }
        for row in downloads.values("organisation_type").annotate(n=Count("pk")).order_by("-n", "organisation_type")
    ]
    by_borough = [
        {"borough": row["borough__name"] or "Not known", "downloads": row["n"]}
        for row in downloads.values("borough__name").annotate(n=Count("pk")).order_by("-n", "borough__name")
    ]
    by_month = [
        {"month": row["month"].strftime("%Y-%m"), "label": row["month"].strftime("%B %Y"), "downloads": row["n"]}
        for row in downloads.annotate(month=TruncMonth("downloaded_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]
    setting_labels = dict(DeliveryReport.Setting.choices)
    reach_by_setting = defaultdict(lambda: {"reports": 0, "young_people": 0})
    for row in reports.order_by().values("setting").annotate(n=Count("pk"), people=Sum("young_people")):
        reach_by_setting[row["setting"]] = {"reports": row["n"], "young_people": row["people"] or 0}
    reach = [
        {"setting": key, "label": setting_labels.get(key, key), **value}
        for key, value in sorted(reach_by_setting.items(), key=lambda item: -item[1]["young_people"])
    ]
    return {
        "total_downloads": sum(row["downloads"] for row in by_resource),
        "by_resource": by_resource,
        "by_organisation_type": by_type,
        "by_borough": by_borough,
        "by_month": by_month,
        "reach": reach,
        "young_people_reached": sum(row["young_people"] for row in reach),
        "delivery_reports": sum(row["reports"] for row in reach),
    }


def catalogue_resources() -> QuerySet[Resource]:
    """What the catalogue lists: published resources, with their facets in one extra query."""
    return Resource.objects.filter(status=Resource.Status.PUBLISHED).prefetch_related("tags").order_by("title", "id")


def terms_accepted(user) -> bool:
    """Whether a signed-in person has accepted the current terms of use (visitors accept per session, in the view)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return TermsAcceptance.objects.filter(user=user, terms_version=TERMS_VERSION).exists()
