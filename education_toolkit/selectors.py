"""Reads of the toolkit, already scoped to what the asking person may see."""

import re
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from core.selectors import audit_timeline
from core.user_facts import user_fact

from . import download_counts, permissions
from .models import (
    FACETS,
    DeliveryReport,
    Download,
    FileVersion,
    Resource,
    ResourceFile,
    ResourceTag,
    ResourceType,
    SearchSynonym,
    TermsAcceptance,
    UpdateSubscription,
)

# Bump when the terms of use change: everyone is asked to accept the new ones once.
TERMS_VERSION = "2026-1"
SEARCH_FIELDS = ("title", "summary", "learning_objectives", "content_guidance")


def files_prefetch() -> Prefetch:
    """Each resource's current files with their current versions, in one query (the catalogue's file ticks)."""
    return _files_prefetch()


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


_WORD = re.compile(r"-?[\w']+")
_STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "i", "in", "is", "it", "of", "on"]
    + ["or", "the", "to", "what", "with"]
)
_MAX_CONCEPTS = 10


def _stem(word: str) -> str:
    """A rough English stem for "contains" matching: "bleeding" finds "bleed", "mentors" finds "mentor"."""
    for suffix in ("ing", "ers", "es", "ed", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def search_concepts(text: str) -> tuple[list[set[str]], set[str]]:
    """The query as concepts (each a set of words or phrases meaning the same) and the words to exclude ("-word").

    Phrases of the synonym table ("first aid") count as one concept; every other word is one, widened by the rows of
    the table it appears in.
    """
    text = " ".join((text or "").lower().split())[:200]
    groups = [synonym.words for synonym in SearchSynonym.objects.all()]
    phrases = sorted({word for group in groups for word in group if " " in word}, key=len, reverse=True)
    concepts: list[str] = []
    for phrase in phrases:
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?!\w)", text):
            concepts.append(phrase)
            text = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?!\w)", " ", text)
    excluded = set()
    for token in _WORD.findall(text):
        if token.startswith("-"):
            if token[1:]:
                excluded.add(token[1:])
        elif token not in _STOP_WORDS and token not in concepts:
            concepts.append(token)
    expanded = []
    for concept in concepts[:_MAX_CONCEPTS]:
        words = {concept}
        for group in groups:
            if concept in group or _stem(concept) in {_stem(w) for w in group}:
                words |= group
        expanded.append(words)
    return expanded, excluded


def _text_condition(word: str, fields) -> Q:
    condition = Q()
    needle = _stem(word) if " " not in word else word
    for field in fields:
        condition |= Q(**{f"{field}__icontains": needle})
    return condition


def _tag_condition(word: str) -> Q:
    """Resources tagged with a facet value whose label has the word ("first aid" → topic first_aid)."""
    needle = _stem(word) if " " not in word else word
    matches = [
        (kind, value)
        for kind, values in FACETS.items()
        for value, label in values.items()
        if needle in label.lower() or needle in value.replace("_", " ")
    ]
    if not matches:
        return Q(pk__in=[])
    tag_match = Q()
    for kind, value in matches:
        tag_match |= Q(kind=kind, value=value)
    return Q(Exists(ResourceTag.objects.filter(tag_match, resource=OuterRef("pk"))))


def resources_search(queryset: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """Resources matching any word of the search (its synonyms and tags too), most words matched first.

    Plain ORM conditions, so PostgreSQL and SQLite find and order the same: a concept counts once if any of its words
    is in the text fields or a tag's label; a title match ranks above others with as many concepts matched.
    """
    concepts, excluded = search_concepts(text)
    if not concepts and not excluded:
        return queryset
    matched = Value(0)
    in_title = Value(0)
    for words in concepts:
        anywhere = Q()
        title = Q()
        for word in words:
            anywhere |= _text_condition(word, SEARCH_FIELDS) | _tag_condition(word)
            title |= _text_condition(word, ("title",))
        matched = matched + Case(When(anywhere, then=Value(1)), default=Value(0))
        in_title = in_title + Case(When(title, then=Value(1)), default=Value(0))
    queryset = queryset.annotate(search_matched=matched, search_in_title=in_title)
    for word in excluded:
        queryset = queryset.exclude(_text_condition(word, SEARCH_FIELDS))
    if concepts:
        queryset = queryset.filter(search_matched__gte=1)
    return queryset.order_by("-search_matched", "-search_in_title", "title", "id")


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


def _count_of(queryset) -> Coalesce:
    """A correlated COUNT of `queryset`'s rows for the outer resource (OuterRef "pk"), 0 when none."""
    counted = queryset.filter(resource=OuterRef("pk")).order_by().values("resource").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def resources_for_editor_list() -> list[Resource]:
    """Every resource with its number of files (one count per resource from the foreign key's index, not a join of
    files by downloads: docs/performance.md) and of downloads (education_toolkit.download_counts: the days before
    today kept, today counted live). Only what the list shows is read (the texts are long)."""
    resources = list(
        Resource.objects.only("title", "resource_type", "status")
        .annotate(file_count=_count_of(ResourceFile.objects))
        .order_by("status", "title")
    )
    downloads = download_counts.per_resource()
    for resource in resources:
        resource.download_count = downloads.get(resource.pk, 0)
    return resources


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
        {
            "borough": row["borough__name"] or "Not known",
            "la_code": row["borough_id"],
            "gss_code": row["borough__gss_code"],
            "downloads": row["n"],
        }
        for row in downloads.values("borough_id", "borough__name", "borough__gss_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "borough__name")
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


def current_files_ticked(*, user, version_ids, resource_slugs=()) -> list[ResourceFile]:
    """The files ticked in a list of resources, by their current versions' ids (and every current file of the resources
    ticked whole, by slug), each with its resource, in the order ticked; files of resources this person may not see
    are left out, as are earlier versions (the form then says to tick again)."""
    ids = list(dict.fromkeys(version_ids))
    files = ResourceFile.objects.filter(current_version__isnull=False).select_related("resource", "current_version")
    by_version = {f.current_version_id: f for f in files.filter(current_version_id__in=ids)}
    ordered = [by_version[v] for v in ids if v in by_version]
    if resource_slugs:
        seen = set(by_version)
        whole = files.filter(resource__slug__in=list(resource_slugs)).order_by("resource__title", "position", "pk")
        ordered += [f for f in whole if f.current_version_id not in seen]
    return [f for f in ordered if permissions.can_view_resource(user, f.resource)]


def catalogue_resources() -> QuerySet[Resource]:
    """What the catalogue lists: published resources, with their facets in one extra query."""
    return Resource.objects.filter(status=Resource.Status.PUBLISHED).prefetch_related("tags").order_by("title", "id")


def terms_accepted(user) -> bool:
    """Whether a signed-in person has accepted the current terms of use (visitors accept per session, in the view)."""
    if not getattr(user, "is_authenticated", False):
        return False
    # In the person's cached facts (core.user_facts), by terms version: `services.terms_accept` says they changed.
    return user_fact(
        user,
        f"toolkit_terms_accepted:{TERMS_VERSION}",
        lambda: TermsAcceptance.objects.filter(user=user, terms_version=TERMS_VERSION).exists(),
    )


def search_synonyms() -> QuerySet[SearchSynonym]:
    return SearchSynonym.objects.order_by("term")


def search_synonym_get(*, pk: int) -> SearchSynonym | None:
    return SearchSynonym.objects.filter(pk=pk).first()
