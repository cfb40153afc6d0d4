"""The summary rows of the cross-programme figures: each programme's per-school figures (core.figures
`school_figures`: wands taken up and delivered, officer cover), stored in `FigureCount` and read by the dashboard, the
map, the open figures and a borough's schools.

Kept current by the worker: a save or delete of a model a programme names in `FIGURE_SOURCES` (and any bulk writer's
`core.figures.figures_changed()`) asks, after its commit, for one refresh: `refresh_request` enqueues the task only
when none is waiting (at most one pending refresh; a request older than REQUEST_TIMEOUT is taken as lost and enqueued
again), and the worker polls every second, so the rows follow a change within a minute. `manage.py figures_rebuild`
rebuilds them by hand; the first read of a database where they were never built builds them.

`FIGURE_SUMMARIES = "live"` (the test settings) reads the same figures from the programmes at each read instead of
the rows: tests see every write at once, whatever path made it (on_commit never fires inside a test's transaction).

Counts here are of schools and wands, never of pupils: suppression (core.suppression) is applied where pupil counts
are shown, not here.
"""

import logging
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.figures import collect_borough_daily_figures, collect_school_figures
from schools.models import LocalAuthority, School

from .models import BoroughDayCount, FigureCount, SummaryState

logger = logging.getLogger("portal.figures")

STATE_ID = 1
REQUEST_TIMEOUT = timedelta(minutes=2)
BATCH = 5000


def live() -> bool:
    return getattr(settings, "FIGURE_SUMMARIES", "stored") == "live"


def _london_schools():
    return School.objects.exclude(local_authority__area=LocalAuthority.Area.OUTSIDE)


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day`, Europe/London (the days TruncDate counts in)."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- building ------------------------------------------------------------------------------------------------------


def refresh_now(*, days: bool = False) -> int:
    """Rebuild the rows from the programmes' figures of every London school, and the day rows when `days`, on a new
    day or when a past day changed; returns how many rows were written. One transaction: readers see the old rows
    until it commits. Refreshes never overlap (the state row is locked)."""
    SummaryState.objects.filter(pk=STATE_ID).update(refresh_requested_at=None)
    with transaction.atomic():
        state, _ = SummaryState.objects.select_for_update().get_or_create(pk=STATE_ID)
        now = timezone.now()
        today = timezone.localdate(now)
        figures = collect_school_figures(_london_schools())
        rows = [
            FigureCount(figure=figure, school_id=urn, value=value)
            for figure, values in sorted(figures.items())
            for urn, value in values.items()
            if value
        ]
        FigureCount.objects.all().delete()
        FigureCount.objects.bulk_create(rows, batch_size=BATCH)
        written = len(rows)
        if days or state.days_stale or state.days_built_on != today:
            daily = collect_borough_daily_figures(before=_day_start(today))
            day_rows = [
                BoroughDayCount(figure=figure, la_code=code, day=day, value=value)
                for figure, values in sorted(daily.items())
                for (code, day), value in values.items()
                if value
            ]
            BoroughDayCount.objects.all().delete()
            BoroughDayCount.objects.bulk_create(day_rows, batch_size=BATCH)
            state.days_built_on, state.days_stale = today, False
            written += len(day_rows)
        state.built_at = now
        state.save(update_fields=["built_at", "days_built_on", "days_stale"])
    logger.info("figure summaries rebuilt", extra={"rows": written})
    return written


def refresh_request() -> None:
    """After a commit that changed some figure: enqueue one refresh unless one is already waiting."""
    from .tasks import figures_refresh

    now = timezone.now()
    SummaryState.objects.get_or_create(pk=STATE_ID)
    waiting = SummaryState.objects.filter(pk=STATE_ID, refresh_requested_at__gte=now - REQUEST_TIMEOUT)
    if waiting.exists():
        return
    claimed = (
        SummaryState.objects.filter(pk=STATE_ID)
        .exclude(refresh_requested_at__gte=now - REQUEST_TIMEOUT)
        .update(refresh_requested_at=now)
    )
    if claimed:
        figures_refresh.enqueue()


def figures_changed(**_signal_kwargs) -> None:
    """A receiver for saves and deletes of the FIGURE_SOURCES and for core.figures.figures_stale."""
    if live():
        return
    transaction.on_commit(refresh_request, robust=True)


def _days_changed() -> None:
    SummaryState.objects.get_or_create(pk=STATE_ID)
    SummaryState.objects.filter(pk=STATE_ID).update(days_stale=True)
    refresh_request()


def days_changed(**_signal_kwargs) -> None:
    """A receiver for deletes of the FIGURE_SOURCES_DELETE: a past day's count changed."""
    if live():
        return
    transaction.on_commit(_days_changed, robust=True)


def ensure_built() -> date:
    """The day before which the day rows hold every whole day; the rows are built now on the first read of a
    database where they were never built (a fresh one)."""
    days_built_on = SummaryState.objects.filter(pk=STATE_ID).values_list("days_built_on", flat=True).first()
    if days_built_on is None:
        refresh_now(days=True)
        days_built_on = SummaryState.objects.get(pk=STATE_ID).days_built_on
    return days_built_on


# --- reading -------------------------------------------------------------------------------------------------------


def _schools(la_codes: Collection[int], phases: Collection[str] | None):
    schools = School.objects.filter(local_authority_id__in=list(la_codes))
    return schools.filter(phase__in=list(phases)) if phases else schools


def _live(figures: Collection[str], schools) -> tuple[dict[str, dict[int, int]], dict[int, tuple[int, str]]]:
    computed = collect_school_figures(schools)
    schools_by_urn = {
        urn: (code, status) for urn, code, status in schools.values_list("pk", "local_authority_id", "status")
    }
    return {name: computed.get(name, {}) for name in figures}, schools_by_urn


def borough_counts(
    *, la_codes: Collection[int], phases: Collection[str] | None = None, figures: Collection[str], open_only=()
) -> dict[int, dict[str, int]]:
    """{la_code: {figure: sum over the boroughs' schools (of `phases` if given)}}, the figures in `open_only` summed
    over the open schools only. One query."""
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(figures, 0))

    def add(code, status, name, value):
        if name not in open_only or status in School.OPEN_STATUSES:
            result[code][name] += value

    if live():
        values, schools_by_urn = _live(figures, _schools(la_codes, phases))
        for name, by_school in values.items():
            for urn, value in by_school.items():
                if urn in schools_by_urn:
                    add(*schools_by_urn[urn], name, value)
        return result
    ensure_built()
    rows = FigureCount.objects.filter(figure__in=list(figures), school__local_authority_id__in=list(la_codes))
    if phases:
        rows = rows.filter(school__phase__in=list(phases))
    rows = (
        rows.order_by().values_list("school__local_authority_id", "school__status", "figure").annotate(n=Sum("value"))
    )
    for code, status, name, n in rows:
        add(code, status, name, n)
    return result


def school_counts(schools, *, figures: Collection[str]) -> dict[int, dict[str, int]]:
    """{urn: {figure: value}} for `schools` (a School queryset): one query."""
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(figures, 0))
    if live():
        values, schools_by_urn = _live(figures, schools)
        for name, by_school in values.items():
            for urn, value in by_school.items():
                if urn in schools_by_urn:
                    result[urn][name] = value
        return result
    ensure_built()
    rows = FigureCount.objects.filter(figure__in=list(figures), school__in=schools.order_by().values("pk"))
    for urn, name, value in rows.values_list("school_id", "figure", "value"):
        result[urn][name] = value
    return result


# --- per borough and day (a moving window) --------------------------------------------------------------------------


def _daily(figure: str, *, since: datetime, la_codes: Collection[int] | None, by: str) -> dict:
    """{la_code or day (`by`): n} of `figure` from `since` on: stored days between the first whole day and the
    summaries' day, live counts for the rest (a part of `since`'s day, and what happened since the summaries' day
    began). Three small queries."""
    counts: dict = defaultdict(int)
    wanted = None if la_codes is None else set(la_codes)

    def add_live(start, before=None):
        for (code, day), n in collect_borough_daily_figures(start=start, before=before).get(figure, {}).items():
            if wanted is None or code in wanted:
                counts[code if by == "la_code" else day] += n

    if live():
        add_live(since)
        return counts
    built_day = ensure_built()
    if built_day < timezone.localdate():
        refresh_request()  # a new day: its predecessor joins the stored days (the worker, soon)
    first_whole = timezone.localdate(since) + timedelta(days=1)
    if built_day <= first_whole:
        add_live(since)
        return counts
    add_live(since, _day_start(first_whole))
    stored = BoroughDayCount.objects.filter(figure=figure, day__gte=first_whole, day__lt=built_day)
    if wanted is not None:
        stored = stored.filter(la_code__in=list(wanted))
    for key, n in stored.order_by().values_list(by).annotate(n=Sum("value")):
        counts[key] += n
    add_live(_day_start(built_day))
    return counts


def borough_window_counts(figure: str, *, since: datetime, la_codes: Collection[int]) -> dict[int, int]:
    """{la_code: n} of `figure` from `since` (an aware datetime) to now."""
    return _daily(figure, since=since, la_codes=la_codes, by="la_code")


def monthly_counts(figure: str, *, first_day: date) -> dict[date, int]:
    """{first day of the month: n} of `figure` over every borough (and none) from `first_day` (Europe/London)."""
    result: dict[date, int] = defaultdict(int)
    for day, n in _daily(figure, since=_day_start(first_day), la_codes=None, by="day").items():
        result[day.replace(day=1)] += n
    return result
