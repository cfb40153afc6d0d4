"""Reads of the public side: the open figures (counts only, small numbers suppressed, cached), the sign-up counts
and consent records for programme admins, and the signed-in user's tasks."""

from collections import OrderedDict
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core import suppression
from core.figures import Task, collect_tasks
from education_toolkit import figures as toolkit_figures
from insights import summaries
from officers import figures as officer_figures
from schools.models import LocalAuthority, School
from wands import figures as wand_figures

from .models import ConsentRecord, ConsentStatement, Subscriber, Topic, UpdateMessage

OPEN_FIGURES_CACHE_KEY = "public:open-figures:v4"  # v4: la_code, la_name, gss_code (and bcu) and a note per borough
OPEN_FIGURES_CACHE_SECONDS = 10 * 60
TOOLKIT_MONTHS = 12
LONDON_AREAS = (LocalAuthority.Area.INNER, LocalAuthority.Area.OUTER)


# --- counts of pupils ---------------------------------------------------------------------------------------------
# Counts of schools, wands and downloads are not personal and are published as they are. Counts of pupils (Stepping
# Stones places filled) go through core.suppression: 1 to 4 withheld, others rounded to the nearest 5.


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- open figures --------------------------------------------------------------------------------------------------


def _london_boroughs() -> list[LocalAuthority]:
    return list(LocalAuthority.objects.filter(area__in=LONDON_AREAS).select_related("bcu").order_by("name"))


# Independent schools in the register (GIAS type group; older extracts without it name the type).
INDEPENDENT = Q(type_group_name="Independent schools") | Q(type_name__icontains="independent")
FEW_SCHOOLS = 5
NOT_MET_NOTE = (
    "Policed by the City of London Police, which the Met's Safer Schools Officers do not cover: not applicable here"
)


def take_up_note(name: str, open_schools: int, independent: int) -> str:
    """Why a borough's percentage needs a word: it has no open school, or so few that one school moves it a lot (the
    City of London: a handful of schools in the register, most of them not state-funded)."""
    if open_schools == 0:
        return f"{name} has no open schools in the register"
    if open_schools >= FEW_SCHOOLS:
        return ""
    state = open_schools - independent
    state_text = "none of them" if state == 0 else f"{state} of them" if state < open_schools else "all"
    return (
        f"{name} has {open_schools} open school{'s' if open_schools != 1 else ''} in the register ({state_text} "
        f"state-funded): so few that one school changes its percentage a lot"
    )


def _school_counts_by_borough() -> dict[int, dict]:
    """Per London borough: open schools, schools that have taken up the wand offer (a request approved and not
    cancelled, docs/roles.md), schools with a named police contact now (a current officer assignment), and wands
    delivered (to any of its schools, open or not). Take-up, contacts and wands are the programmes' own per-school
    figures (core.figures), read from the summary rows (insights.summaries)."""
    rows = {
        row["local_authority_id"]: {**row, "taken_up": 0, "with_contact": 0, "wands": 0}
        for row in School.objects.filter(status__in=School.OPEN_STATUSES, local_authority__area__in=LONDON_AREAS)
        .order_by()
        .values("local_authority_id")
        .annotate(schools=Count("pk"), independent=Count("pk", filter=INDEPENDENT))
    }
    london = LocalAuthority.objects.filter(area__in=LONDON_AREAS).values_list("code", flat=True)
    by_borough = summaries.borough_counts(
        la_codes=list(london),
        figures=(wand_figures.TAKEN_UP, officer_figures.COVERED, wand_figures.DELIVERED),
        open_only=(wand_figures.TAKEN_UP, officer_figures.COVERED),
    )
    for code, counts in by_borough.items():
        row = rows.setdefault(code, {"schools": 0, "independent": 0})
        row["taken_up"] = counts[wand_figures.TAKEN_UP]
        row["with_contact"] = counts[officer_figures.COVERED]
        row["wands"] = counts[wand_figures.DELIVERED]
    return rows


def _stepping_stones_places() -> dict:
    """Places available and filled per cohort, from the Stepping Stones selector (counts only). Places filled are
    pupils: 1 to 4 is withheld, others are rounded to the nearest 5 (core.suppression)."""
    from stepping_stones.selectors import places_by_cohort

    cohorts = [
        {
            "cohort": f"{row.transition_year} transition",
            "transition_year": row.transition_year,
            "participating_schools": row.schools,
            "places_available": row.places_available,
            "places_filled": suppression.pupil_count(row.places_filled),
            "suppressed": suppression.is_withheld(row.places_filled),
        }
        for row in places_by_cohort()
    ]
    return {"cohorts": cohorts}


def _month_starts(today: date, months: int) -> list[date]:
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def _toolkit_downloads_by_month(today: date) -> list[dict]:
    """Downloads of toolkit files per month over the last 12 months (months with none show 0), from the toolkit's
    per-day figures (insights.summaries). Counts of downloads across London do not point at a school or a pupil, so
    they are not suppressed."""
    starts = _month_starts(today, TOOLKIT_MONTHS)
    counts = summaries.monthly_counts(toolkit_figures.DOWNLOADS, first_day=starts[0])
    return [
        {"month": start.strftime("%Y-%m"), "label": start.strftime("%B %Y"), "downloads": counts.get(start, 0)}
        for start in starts
    ]


def open_figures_compute() -> dict:
    """Every open figure, counts only: nothing here names a person. Counts of schools are published as they are;
    counts of pupils go through core.suppression (1 to 4 published as null with `suppressed: true`, others rounded to
    the nearest 5)."""
    now = timezone.now()
    counts = _school_counts_by_borough()
    take_up_rows, contact_rows = [], []
    totals = {"schools": 0, "taken_up": 0, "with_contact": 0, "wands": 0, "met_schools": 0}
    for borough in _london_boroughs():
        row = counts.get(borough.code, {"schools": 0, "independent": 0, "taken_up": 0, "with_contact": 0, "wands": 0})
        for key in ("schools", "taken_up", "with_contact"):
            totals[key] += row[key]
        met = borough.bcu_id is not None
        totals["met_schools"] += row["schools"] if met else 0
        totals["wands"] += row["wands"]
        take_up_rows.append(
            {
                "la_code": borough.code,
                "la_name": borough.name,
                "gss_code": borough.gss_code,
                "open_schools": row["schools"],
                "schools_taken_up": row["taken_up"],
                "percent_taken_up": _percent(row["taken_up"], row["schools"]),
                "wands_delivered": row["wands"],
                "note": take_up_note(borough.name, row["schools"], row["independent"]),
            }
        )
        contact_rows.append(
            {
                "la_code": borough.code,
                "la_name": borough.name,
                "gss_code": borough.gss_code,
                "bcu": borough.bcu.slug if borough.bcu_id else None,
                "police": borough.bcu.name if borough.bcu_id else "City of London Police",
                "open_schools": row["schools"],
                "schools_with_contact": row["with_contact"],
                "percent_with_contact": _percent(row["with_contact"], row["schools"]) if met else None,
                "note": "" if met else NOT_MET_NOTE,
            }
        )
    return {
        "as_of": now.isoformat(timespec="seconds"),
        "suppression_threshold": suppression.THRESHOLD,
        "pupil_counts_rounded_to": suppression.ROUND_TO,
        "wands": {
            "london": {
                "open_schools": totals["schools"],
                "schools_taken_up": totals["taken_up"],
                "percent_taken_up": _percent(totals["taken_up"], totals["schools"]),
                "wands_delivered": totals["wands"],
            },
            "boroughs": take_up_rows,
        },
        "police_contacts": {
            # The Met's boroughs: the City of London's schools cannot have a Met officer.
            "london": {
                "open_schools": totals["met_schools"],
                "schools_with_contact": totals["with_contact"],
                "percent_with_contact": _percent(totals["with_contact"], totals["met_schools"]),
            },
            "boroughs": contact_rows,
        },
        "stepping_stones": _stepping_stones_places(),
        "toolkit_downloads": {"months": _toolkit_downloads_by_month(timezone.localdate(now))},
    }


def open_figures() -> dict:
    """The open figures as last computed, at most 10 minutes old; the page and the API read the same copy."""
    figures = cache.get(OPEN_FIGURES_CACHE_KEY)
    if figures is None:
        figures = open_figures_compute()
        cache.set(OPEN_FIGURES_CACHE_KEY, figures, OPEN_FIGURES_CACHE_SECONDS)
    return figures


# One CSV per dataset: (header, rows from the figures).
OPEN_DATASETS = OrderedDict(
    [
        (
            "wands-take-up",
            (
                [
                    "la_code",
                    "la_name",
                    "gss_code",
                    "open_schools",
                    "schools_taken_up",
                    "percent_taken_up",
                    "wands_delivered",
                    "note",
                ],
                lambda f: [
                    [
                        r["la_code"],
                        r["la_name"],
                        r["gss_code"],
                        r["open_schools"],
                        r["schools_taken_up"],
                        r["percent_taken_up"],
                        r["wands_delivered"],
                        r["note"],
                    ]
                    for r in f["wands"]["boroughs"]
                ],
            ),
        ),
        (
            "police-contacts",
            (
                [
                    "la_code",
                    "la_name",
                    "gss_code",
                    "police",
                    "open_schools",
                    "schools_with_contact",
                    "percent_with_contact",
                    "note",
                ],
                lambda f: [
                    [
                        r["la_code"],
                        r["la_name"],
                        r["gss_code"],
                        r["police"],
                        r["open_schools"],
                        r["schools_with_contact"],
                        r["percent_with_contact"],
                        r["note"],
                    ]
                    for r in f["police_contacts"]["boroughs"]
                ],
            ),
        ),
        (
            "stepping-stones-places",
            (
                ["transition_year", "participating_schools", "places_available", "places_filled", "suppressed"],
                lambda f: [
                    [
                        r["transition_year"],
                        r["participating_schools"],
                        r["places_available"],
                        r["places_filled"],
                        r["suppressed"],
                    ]
                    for r in f["stepping_stones"]["cohorts"]
                ],
            ),
        ),
        (
            "toolkit-downloads",
            (
                ["month", "downloads"],
                lambda f: [[r["month"], r["downloads"]] for r in f["toolkit_downloads"]["months"]],
            ),
        ),
    ]
)


def open_dataset_rows(name: str, figures: dict | None = None) -> tuple[list[str], list[list]] | None:
    if name not in OPEN_DATASETS:
        return None
    header, rows = OPEN_DATASETS[name]
    return header, rows(figures if figures is not None else open_figures())


# --- the sign-up, for programme admins -----------------------------------------------------------------------------


def topic_counts() -> list[dict]:
    """Per topic: confirmed subscribers and sign-ups still waiting for confirmation."""
    topics = Topic.objects.annotate(
        confirmed=Count("subscribers", filter=Q(subscribers__status=Subscriber.Status.CONFIRMED)),
        pending=Count("subscribers", filter=Q(subscribers__status=Subscriber.Status.PENDING)),
    ).order_by("order", "name")
    return [
        {
            "id": t.pk,
            "slug": t.slug,
            "name": t.name,
            "active": t.is_active,
            "confirmed": t.confirmed,
            "pending": t.pending,
        }
        for t in topics
    ]


def subscriber_status_counts() -> dict[str, int]:
    counts = dict(Subscriber.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Subscriber.Status.values}


def consent_records() -> QuerySet[ConsentRecord]:
    """Every consent given, oldest first, with its statement (exact text) and topics, in a constant number of
    queries."""
    return (
        ConsentRecord.objects.select_related("subscriber", "statement")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("order", "name")))
        .order_by("given_at", "id")
    )


def current_consent_statement() -> ConsentStatement | None:
    """The statement the sign-up form shows now: the latest version."""
    return ConsentStatement.objects.order_by("-version").first()


def consent_statements() -> QuerySet[ConsentStatement]:
    """Every version ever shown, newest first (none is ever changed or deleted)."""
    return ConsentStatement.objects.order_by("-version")


def updates_recent(limit: int = 10) -> list[UpdateMessage]:
    return list(UpdateMessage.objects.select_related("topic").order_by("-created_at", "-id")[:limit])


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).order_by("order", "name")


# --- tasks ---------------------------------------------------------------------------------------------------------


def tasks_by_programme(user) -> list[tuple[str, list[Task]]]:
    """The user's tasks from every programme, grouped by programme in the order they came."""
    groups: OrderedDict[str, list[Task]] = OrderedDict()
    for task in collect_tasks(user):
        groups.setdefault(task.programme, []).append(task)
    return list(groups.items())
