"""The project's URLs plus the floors the benchmarks compare with (only under bench settings, never deployed).

A floor is the least a list endpoint could do: the same rows, from a `.values()` query with the same scoping (the
same selector), rendered by a bare `JsonResponse`, behind the same middleware (sessions, authentication, two-factor,
view-as, CSP, request id). No serializer, no pagination class, no count, no filter backend. The HTML floor is a bare
template (the service's base layout with nothing in it) behind the same middleware.
"""

import sys
import types

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import include, path

from accounts.identity.view_as import is_viewing_as
from bench.throttles import never_refuse
from education_toolkit import selectors as toolkit_selectors
from education_toolkit.models import ResourceTag
from officers import permissions as officer_permissions
from officers import selectors as officer_selectors
from schools.models import School
from schools.selectors import school_list
from stepping_stones import permissions as ss_permissions
from stepping_stones import selectors as ss_selectors
from stepping_stones.models import Referral
from wands import permissions as wand_permissions
from wands import selectors as wand_selectors

never_refuse()  # production's throttle bookkeeping, never a 429 (bench/throttles.py)
PAGE = 50


def _limit(request) -> int:
    return min(int(request.GET.get("page_size", PAGE)), 200)


def floor_schools(request):
    rows = list(
        school_list()
        .exclude(status=School.Status.CLOSED)
        .values(
            "urn",
            "name",
            "type_name",
            "phase",
            "status",
            "postcode",
            "local_authority__code",
            "local_authority__name",
            "local_authority__bcu__slug",
            "local_authority__bcu__name",
        )[: _limit(request)]
    )
    return JsonResponse({"results": rows})


WAND_FIELDS = (
    "id",
    "school_id",
    "school__name",
    "school__local_authority__name",
    "quantity",
    "status",
    "contact_name",
    "contact_phone",
    "delivery_address",
    "delivery_postcode",
    "created_at",
    "decided_at",
    "decision_reason",
    "reserved_at",
    "courier",
    "tracking_reference",
    "dispatched_at",
    "delivered_at",
    "replaces_id",
)


@login_required
def floor_wand_requests(request):
    queryset = wand_selectors.wand_requests_visible_to(request.user).order_by("-created_at")
    return JsonResponse({"results": list(queryset.values(*WAND_FIELDS)[: _limit(request)])})


@login_required
def floor_stock_movements(request):
    if not wand_permissions.can_run_wand_programme(request.user):
        raise Http404
    rows = wand_selectors.stock_movements().order_by("-created_at").values(
        "id", "kind", "quantity", "on_hand_change", "reserved_change", "batch", "serials", "note",
        "wand_request_id", "created_at",
    )  # fmt: skip
    return JsonResponse({"results": list(rows[: _limit(request)])})


def floor_toolkit_resources(request):
    rows = list(
        toolkit_selectors.catalogue_resources().values(
            "id", "slug", "title", "summary", "resource_type", "age_range", "duration_minutes", "access_level",
            "language", "licence", "published_at", "content_updated_at",
        )[: _limit(request)]
    )  # fmt: skip
    tags: dict[int, list] = {}
    for resource_id, kind, value in ResourceTag.objects.filter(resource_id__in=[r["id"] for r in rows]).values_list(
        "resource_id", "kind", "value"
    ):
        tags.setdefault(resource_id, []).append((kind, value))
    for row in rows:
        row["tags"] = tags.get(row.pop("id"), [])
    return JsonResponse({"results": rows})


@login_required
def floor_officers(request):
    """The officers API's first page: officers in the allocator's BCUs with their load, in name order."""
    if not officer_permissions.is_allocator(request.user):
        raise Http404
    rows = officer_selectors.officers_visible_to(request.user).order_by("name", "pk").values(
        "id", "name", "shoulder_number", "rank", "role_type", "bcu__name", "base_name", "base_postcode",
        "base_latitude", "base_longitude", "capacity", "load", "school_count", "active", "work_email", "work_phone",
    )  # fmt: skip
    return JsonResponse({"results": list(rows[: _limit(request)])})


@login_required
def floor_officers_queue(request):
    """The queue API's first page: the same selector (scoping, order), days waiting, and the other programmes'
    counts for the page's schools (the same figures call: part of the rows, not of the framework)."""
    if not officer_permissions.is_allocator(request.user):
        raise Http404
    rows = list(
        officer_selectors.queue_for(request.user).values(
            "pk", "name", "local_authority__name", "local_authority__bcu__name", "request_kind", "waiting_since",
            "request_at",
        )[: _limit(request)]
    )  # fmt: skip
    activity = officer_selectors.other_programme_activity([row["pk"] for row in rows])
    for row in rows:
        since = row.pop("waiting_since")
        at = row.pop("request_at")
        row["days_waiting"] = officer_selectors.days_waiting(types.SimpleNamespace(waiting_since=since, request_at=at))
        row["activity"] = [
            {"programme": a.programme, "label": a.label, "display": a.display} for a in activity.get(row["pk"], [])
        ]
    return JsonResponse({"results": rows})


REFERRAL_STATUS = dict(Referral.Status.choices)
REFERRAL_PRIORITY = dict(Referral._meta.get_field("priority").choices or ())


@login_required
def floor_referrals(request):
    """The referrals API's first page: the same selector (coordinators every referral; leads theirs), newest first."""
    if is_viewing_as(request) or not ss_permissions.can_use_stepping_stones(request.user):
        raise Http404
    rows = list(
        ss_selectors.referrals_visible_to(request.user).prefetch_related(None).order_by("-created_at", "-id").values(
            "reference", "cohort__transition_year", "status", "priority", "referring_school_id",
            "referring_school__name", "receiving_school_id", "receiving_school__name", "upn_is_temporary",
            "created_at", "submitted_at", "decided_at", "waitlisted_at",
        )[: _limit(request)]
    )  # fmt: skip
    for row in rows:
        row["status_label"] = REFERRAL_STATUS.get(row["status"], row["status"])
        row["priority_label"] = REFERRAL_PRIORITY.get(row["priority"], row["priority"])
    response = JsonResponse({"results": rows})
    response["Cache-Control"] = "no-store"
    return response


def floor_page(request):
    """A bare page: the service layout with an empty main, the same context processors and middleware."""
    return render(request, "bench/floor.html", {})


def _project_urls():
    """The project's URLconf. The checkout is shared with engineers mid-change: when one app's URLs cannot be
    imported yet, that app is left out (loudly) so the others can still be measured."""
    from importlib import import_module

    for _ in range(10):
        try:
            return import_module("schools_portal.urls")
        except ImportError as error:
            broken = None
            trace = error.__traceback__
            while trace is not None:
                local = trace.tb_frame.f_locals
                if trace.tb_frame.f_code.co_name == "include" and isinstance(local.get("urlconf_module"), str):
                    broken = local["urlconf_module"]
                trace = trace.tb_next
            if broken is None:
                raise
            print(f"bench.urls: {broken} cannot be imported ({error}); left out of this run", file=sys.stderr)
            placeholder = types.ModuleType(broken)
            placeholder.urlpatterns = []
            placeholder.app_name = broken.split(".")[0].replace("_", "-") if "api" in broken else broken.split(".")[0]
            sys.modules[broken] = placeholder
            sys.modules.pop("schools_portal.urls", None)
    raise RuntimeError("too many apps cannot be imported")


urlpatterns = [
    path("bench/floor/schools/", floor_schools, name="bench-floor-schools"),
    path("bench/floor/wand-requests/", floor_wand_requests, name="bench-floor-wand-requests"),
    path("bench/floor/stock-movements/", floor_stock_movements, name="bench-floor-stock-movements"),
    path("bench/floor/toolkit-resources/", floor_toolkit_resources, name="bench-floor-toolkit-resources"),
    path("bench/floor/officers/", floor_officers, name="bench-floor-officers"),
    path("bench/floor/officers-queue/", floor_officers_queue, name="bench-floor-officers-queue"),
    path("bench/floor/referrals/", floor_referrals, name="bench-floor-referrals"),
    path("bench/floor/page/", floor_page, name="bench-floor-page"),
    path("", include(_project_urls())),
]
