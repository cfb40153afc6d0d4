"""The audit view for VRU roles: search the append-only history by who, what object, referral, date and verb; export.

Entries about pupil records (Stepping Stones) are evidence about children: only Stepping Stones coordinators see them,
in the page, the export and the API alike, because all three read `audit_events_visible_to`.

The audit record itself is `core`'s (`core.services.audit_record`, every app writes it); searching it lives here, above
`accounts` (who holds which role) and the programmes (which of them holds pupil records).
"""

from functools import cache

import django_filters
from django import forms
from django.apps import apps as django_apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts import roles
from accounts.identity.view_as import is_viewing_as
from accounts.selectors import user_role_names
from core import fragments
from core.csv_export import csv_streaming_response
from core.date_input import DayMonthYearFilter
from core.models import AuditEvent
from core.pagination import paginate

PER_PAGE = 50
PUPIL_APP = "stepping_stones"
# Apps whose objects the audit records; Django's own bookkeeping tables are not offered as object types.
NOT_AUDITED_APPS = {"admin", "contenttypes", "sessions", "django_tasks_database", "account", "mfa", "sites"}


def can_search_audit(user) -> bool:
    """Programme admins, Stepping Stones coordinators and toolkit editors (the VRU roles) search the audit."""
    return bool(user_role_names(user) & roles.VRU_ROLES)


def can_see_pupil_audit(user, *, viewing_as: bool = False) -> bool:
    """Entries about pupil records are for Stepping Stones coordinators only, and never while "viewing as" one."""
    return not viewing_as and roles.STEPPING_STONES_COORDINATOR in user_role_names(user)


def request_views_as(request) -> bool:
    """A programme admin "viewing as" someone: read-only, and never pupil records whatever the viewed user holds."""
    return request is not None and is_viewing_as(request)


def not_about_pupils_q() -> Q:
    """Entries that are not about pupil records: not a Stepping Stones object or verb, and no data marking a pupil.

    Spelled out rather than `~Q(data__pupil_record=True)`: on a row without that key the comparison is NULL, and
    NOT NULL would drop the row, so ordinary entries would vanish for non-coordinators.
    """
    return (
        ~Q(target_type__app_label=PUPIL_APP)
        & ~Q(verb__startswith=f"{PUPIL_APP}.")
        & ~Q(data__has_key="pupil_id")
        & (Q(data__pupil_record__isnull=True) | ~Q(data__pupil_record=True))
    )


def audit_events_visible_to(user, *, viewing_as: bool = False) -> QuerySet[AuditEvent]:
    """The audit events this person may search, newest first; none for anyone without a VRU role."""
    if not can_search_audit(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("target_type").order_by("-created_at", "-id")
    if not can_see_pupil_audit(user, viewing_as=viewing_as):
        events = events.filter(not_about_pupils_q())
    return events


# The "Type of object" filter offers the portal's business objects only: the models of its own apps, not `core`'s
# plumbing (audit events, idempotent responses, sent emails, worker heartbeats), not Django's or allauth's tables
# (groups, permissions, sessions, email addresses), and not these bookkeeping models of the programmes.
INTERNAL_OBJECT_TYPES = {
    ("accounts", "accessreviewreminder"),
    ("wands", "stocklevel"),
    # The figure summaries (insights.summaries): counts rebuilt from the programmes, never audited.
    ("insights", "figurecount"),
    ("insights", "boroughdaycount"),
    ("insights", "summarystate"),
}
# Names where the model's own would read oddly.
OBJECT_TYPE_NAMES = {
    ("accounts", "user"): "User account",
    ("accounts", "apitoken"): "API token",
    ("accounts", "joinrequest"): "Request to join a school",
    ("schools", "schoollink"): "Link between schools (GIAS)",
    ("schools", "schoolchange"): "Change to the schools register",
    ("wands", "wandissue"): "Faulty or missing wands report",
}


def business_app_labels() -> list[str]:
    """The portal's own apps with business objects (settings.LOCAL_APPS without `core`)."""
    from django.conf import settings

    labels = [django_apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.LOCAL_APPS]
    return [label for label in labels if label != "core"]


def object_types_for(user, *, viewing_as: bool = False) -> QuerySet[ContentType]:
    """The types of object a person may filter the audit by: business objects, named as people call them."""
    types = ContentType.objects.filter(app_label__in=business_app_labels()).exclude(app_label__in=NOT_AUDITED_APPS)
    for app_label, model in INTERNAL_OBJECT_TYPES:
        types = types.exclude(app_label=app_label, model=model)
    if not can_see_pupil_audit(user, viewing_as=viewing_as):
        types = types.exclude(app_label=PUPIL_APP)
    return types.order_by("model", "app_label")


@cache
def _ambiguous_names() -> frozenset[str]:
    """Model names two apps share ("Assignment"): those say which programme they belong to."""
    seen: dict[str, int] = {}
    for model in django_apps.get_models():
        name = str(model._meta.verbose_name).lower()
        seen[name] = seen.get(name, 0) + 1
    return frozenset(name for name, count in seen.items() if count > 1)


def object_type_label(content_type: ContentType) -> str:
    """What a person calls the object ("Wand request", "School membership"), not Django's "App | model"."""
    named = OBJECT_TYPE_NAMES.get((content_type.app_label, content_type.model))
    if named:
        return named
    model = content_type.model_class()
    name = str(model._meta.verbose_name) if model is not None else content_type.model
    label = f"{name[:1].upper()}{name[1:]}"
    if name.lower() in _ambiguous_names() and model is not None:
        label += f" ({model._meta.app_config.verbose_name})"
    return label


class _ByLabel(forms.models.ModelChoiceIterator):
    """The types in the order of the names people read, not Django's model names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from sorted((self.choice(obj) for obj in self.queryset), key=lambda choice: str(choice[1]).lower())


class _ObjectTypeField(forms.ModelChoiceField):
    iterator = _ByLabel

    def label_from_instance(self, obj):
        return object_type_label(obj)


class ObjectTypeFilter(django_filters.ModelChoiceFilter):
    field_class = _ObjectTypeField


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned


class AuditFilter(django_filters.FilterSet):
    """Who (email), which object (type and id, or its label), which referral, when, and what happened."""

    actor = django_filters.CharFilter(
        field_name="actor_label",
        lookup_expr="iexact",
        label="Who (email address)",
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    object_type = ObjectTypeFilter(
        field_name="target_type",
        queryset=ContentType.objects.none(),
        empty_label="Any type of object",
        label="Type of object",
    )
    object_id = django_filters.CharFilter(field_name="target_id", lookup_expr="exact", label="Object ID")
    object_label = django_filters.CharFilter(
        field_name="target_label", lookup_expr="icontains", label="Object name or reference contains"
    )
    referral = django_filters.CharFilter(method="filter_referral", label="Referral reference")
    verb = django_filters.CharFilter(
        field_name="verb",
        lookup_expr="startswith",
        label="What happened",
        help_text="For example wand_request.approved, or wand_request for every wand request change",
    )
    # The page's GOV.UK date inputs (date_from_day, _month, _year); the API and links from before them give an ISO
    # date (date_from=2026-03-27), read by the same filter.
    date_from = DayMonthYearFilter(field_name="created_at", lookup_expr="date__gte", label="Date from")
    date_to = DayMonthYearFilter(field_name="created_at", lookup_expr="date__lte", label="Date to")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm

    def __init__(self, *args, user=None, viewing_as=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None and self.request is not None:
            user = self.request.user  # the API's filter backend passes the request
        if viewing_as is None:
            viewing_as = request_views_as(self.request)
        self.filters["object_type"].queryset = object_types_for(user, viewing_as=viewing_as)

    def filter_referral(self, queryset, name, value):
        """A referral's entries carry its reference as their label (pupil entries: coordinators only, by scope)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(target_type__app_label=PUPIL_APP, target_label__iexact=value)


def audit_filter(request: HttpRequest) -> AuditFilter:
    viewing_as = request_views_as(request)
    return AuditFilter(
        request.GET or None,
        queryset=audit_events_visible_to(request.user, viewing_as=viewing_as),
        user=request.user,
        viewing_as=viewing_as,
    )


def _gate(request: HttpRequest) -> None:
    if not can_search_audit(request.user):
        raise PermissionDenied


def _filtered(filterset: AuditFilter) -> QuerySet[AuditEvent] | None:
    """The filtered events, or None when a filter is not valid (nothing is shown or exported then)."""
    if not filterset.is_bound:
        return filterset.queryset
    if not filterset.is_valid():
        return None
    return filterset.qs


@require_GET
@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the audit; the filters stay in the page links and in the export link."""
    _gate(request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "export_query": query.urlencode(),
        "sees_pupil_entries": can_see_pupil_audit(request.user, viewing_as=request_views_as(request)),
    }

    def render_entries() -> str:
        # The filters are read and checked here, with the entries: a cached page builds no filter form.
        filterset = audit_filter(request)
        events = _filtered(filterset)
        page = paginate(request, events, PER_PAGE) if events is not None else None
        return render_to_string(
            "insights/includes/audit_search_content.html",
            {**context, "filter_form": filterset.form, "page": page},
            request,
        )

    # The entries, their object types and the filter's choices of type (not the rest of `core`: the worker's heartbeat
    # is written every 10 s); who may see pupil entries is the person's roles and "viewing as", in the key.
    context["content_html"] = fragments.cached(
        request,
        "audit-search",
        depends_on=("core.AuditEvent", "contenttypes"),
        vary=(request_views_as(request),),
        render=render_entries,
    )
    context["has_errors"] = fragments.has_error_summary(context["content_html"])
    return render(request, "insights/audit_search.html", context)


EXPORT_HEADER = [
    "when",
    "who",
    "what",
    "object type",
    "object id",
    "object",
    "from",
    "to",
    "reason",
    "request id",
]


def export_rows(events: QuerySet[AuditEvent]):
    for event in events.iterator(chunk_size=500):
        yield (
            event.created_at,
            event.actor_label,
            event.verb,
            f"{event.target_type.app_label}.{event.target_type.model}",
            event.target_id,
            event.target_label,
            event.from_state,
            event.to_state,
            event.reason,
            event.request_id,
        )


@require_GET
@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV (streamed; formula-safe). Bad filters show the search page with its errors."""
    _gate(request)
    filterset = audit_filter(request)
    events = _filtered(filterset)
    if events is None:
        context = {"filter_form": filterset.form, "page": None, "export_query": "", "sees_pupil_entries": False}
        context["content_html"] = render_to_string("insights/includes/audit_search_content.html", context, request)
        return render(request, "insights/audit_search.html", context, status=400)
    return csv_streaming_response(filename="audit.csv", header=EXPORT_HEADER, rows=export_rows(events))
