"""The summary rows of the cross-programme figures (insights.summaries), as production reads them
(FIGURE_SUMMARIES = "stored"; the other tests read the programmes' figures live): the same pages and numbers as the live
reads, built on the first read of a fresh database, rebuilt by the command, refreshed by one task after a write's
commit (never more than one waiting), and a constant number of queries."""

import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from insights import selectors, summaries
from insights.models import BoroughDayCount, FigureCount, SummaryState
from public import selectors as public_selectors
from schools.counts import register_changed
from schools.models import SchoolChange
from schools.reviews import school_change_apply
from tests.accounts.factories import programme_admin
from tests.officers.factories import AssignmentFactory, OfficerFactory
from tests.wands.factories import WandRequestFactory

from .conftest import download, places, school_in

stored = override_settings(FIGURE_SUMMARIES="stored")
DASHBOARD = reverse("insights:dashboard")
PAGES = [
    DASHBOARD,
    f"{DASHBOARD}?measure=officer_cover_percent",
    f"{DASHBOARD}?measure=wands_delivered&phase=secondary",
    f"{DASHBOARD}?measure=schools_taken_up&phase=primary",
    reverse("public:figures"),
    reverse("public-api:figures-csv", kwargs={"dataset": "wands-take-up"}),
    reverse("public-api:figures-csv", kwargs={"dataset": "police-contacts"}),
]
AS_OF = re.compile(r"as of [^<\n]*|\d{4}-\d\d-\d\dT[\d:.+]+|\d{1,2}:\d\d ?[ap]\.?m\.?")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"')


def rendered(client, url: str) -> str:
    from django.core.cache import cache

    cache.clear()  # the open figures are cached for 10 minutes
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return CSRF.sub("", AS_OF.sub("TIME", body.decode()))


@pytest.fixture
def london(cohort, resource_version):
    """Take-up (one through a predecessor), wands delivered to an open and a closed school, current and ended officer
    assignments, places and downloads, over four boroughs and two phases."""
    hackney = [school_in(204) for _ in range(4)]
    camden = school_in(202)
    croydon_primary = school_in(306, primary=True)
    closed = school_in(204, closed=True)
    WandRequestFactory(school=hackney[0], approved=True)
    WandRequestFactory(school=hackney[0], delivered=True, quantity=5)
    WandRequestFactory(school=hackney[1], delivered=True, quantity=3)
    WandRequestFactory(school=hackney[2], cancelled=True)
    WandRequestFactory(school=closed, delivered=True, quantity=7)  # counted in wands delivered, not in take-up
    WandRequestFactory(school=croydon_primary, delivered=True, quantity=2)
    AssignmentFactory(school=hackney[0])
    AssignmentFactory(school=camden)
    AssignmentFactory(school=hackney[3], end_date="2026-01-31", start_date="2025-01-01")
    places(cohort, hackney[0], places=60, taken=12)
    download(resource_version, borough=hackney[0].local_authority)
    return {"hackney": hackney, "camden": camden, "croydon": croydon_primary, "closed": closed}


def test_stored_summaries_render_every_page_as_the_live_figures_do(client, admin, london):
    successor = school_in(204)
    change = SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=london["closed"], successor=successor, found_at=timezone.now()
    )
    school_change_apply(actor=programme_admin(), change_id=change.pk)  # the successor takes up through its predecessor
    client.force_login(admin)
    live = {url: rendered(client, url) for url in PAGES}
    live_borough = selectors.borough_school_figures(la_code=204)
    with stored:
        assert not FigureCount.objects.exists()
        for url in PAGES:
            assert rendered(client, url) == live[url], url
        figures = selectors.borough_school_figures(la_code=204)
    for figures_of in (live_borough, figures):
        figures_of.pop("as_of")
    assert figures == live_borough
    assert figures["schools_taken_up"] == 3 and figures["wands_delivered"] == 8  # the closed school is not listed
    assert FigureCount.objects.filter(figure="wands.taken_up", school=successor).exists()


@stored
def test_a_fresh_database_builds_the_rows_on_first_read(client, admin, london):
    assert not SummaryState.objects.exists()
    client.force_login(admin)
    board = client.get(DASHBOARD).context["board"]
    hackney = {row.la_code: row for row in board.rows}[204]
    assert (hackney.schools_taken_up, hackney.wands_delivered, hackney.schools_with_officer) == (2, 15, 1)
    assert SummaryState.objects.get().built_at is not None
    assert set(FigureCount.objects.values_list("figure", flat=True)) == {
        "wands.taken_up",
        "wands.delivered",
        "officers.covered",
    }


@stored
def test_reads_the_rows_until_they_are_refreshed_and_the_command_rebuilds_them(client, admin, london):
    client.force_login(admin)
    summaries.refresh_now()
    WandRequestFactory(school=london["hackney"][3], approved=True)  # no commit inside a test: no refresh yet
    rows = {row.la_code: row for row in client.get(DASHBOARD).context["board"].rows}
    assert rows[204].schools_taken_up == 2  # the summary as built
    call_command("figures_rebuild", stdout=mock.Mock())
    rows = {row.la_code: row for row in client.get(DASHBOARD).context["board"].rows}
    assert rows[204].schools_taken_up == 3


@stored
def test_a_write_enqueues_one_refresh_after_its_commit_and_the_task_brings_the_rows_up_to_date(
    client, admin, london, django_capture_on_commit_callbacks
):
    summaries.refresh_now()
    with django_capture_on_commit_callbacks(execute=True):
        AssignmentFactory(school=london["hackney"][2], officer=OfficerFactory())  # the immediate backend runs it
    assert FigureCount.objects.filter(figure="officers.covered", school=london["hackney"][2]).exists()
    assert SummaryState.objects.get().refresh_requested_at is None  # cleared when the refresh started
    # While a refresh waits for the worker, more writes enqueue nothing more.
    with mock.patch("insights.tasks.figures_refresh") as task:
        with django_capture_on_commit_callbacks(execute=True):
            WandRequestFactory(school=london["hackney"][2], approved=True)
        with django_capture_on_commit_callbacks(execute=True):
            AssignmentFactory(school=london["hackney"][1], officer=OfficerFactory())
        with django_capture_on_commit_callbacks(execute=True):
            register_changed()  # the register's bulk writes (successions applied) ask too
    assert task.enqueue.call_count == 1
    # A request the worker never took up (lost) is enqueued again after REQUEST_TIMEOUT.
    SummaryState.objects.update(refresh_requested_at=timezone.now() - summaries.REQUEST_TIMEOUT)
    with mock.patch("insights.tasks.figures_refresh") as task, django_capture_on_commit_callbacks(execute=True):
        WandRequestFactory(school=london["hackney"][3], approved=True)
    assert task.enqueue.call_count == 1


@stored
def test_a_write_asks_only_once_it_commits(london, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        WandRequestFactory(school=london["hackney"][3], approved=True)
    assert callbacks.count(summaries.refresh_request) == 1  # a rolled-back write never runs it
    assert not SummaryState.objects.filter(refresh_requested_at__isnull=False).exists()


@stored
@pytest.mark.parametrize("url", [DASHBOARD, reverse("public:figures")])
def test_pages_read_the_rows_in_constant_queries(client, admin, cohort, url, django_assert_max_num_queries):
    from django.core.cache import cache

    client.force_login(admin)
    school_in(204)
    summaries.refresh_now()
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for code in (202, 203, 205, 301, 302):
        for _ in range(3):
            school = school_in(code)
            WandRequestFactory(school=school, delivered=True)
            AssignmentFactory(school=school, officer=OfficerFactory())
    summaries.refresh_now()
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@stored
def test_open_figures_compute_reads_the_rows(london):
    summaries.refresh_now()
    with mock.patch("core.figures.collect_school_figures", side_effect=AssertionError("not live")):
        figures = public_selectors.open_figures_compute()
    hackney = next(row for row in figures["wands"]["boroughs"] if row["la_code"] == 204)
    assert (hackney["schools_taken_up"], hackney["wands_delivered"]) == (2, 15)


@stored
def test_downloads_sum_stored_days_and_count_the_rest_live(client, admin, london, resource_version):
    """Stored: whole days before the summaries' day. Live: the part of the window's first day, and everything since
    the summaries' day began (downloads are only ever added with their own time)."""
    hackney = london["hackney"][0].local_authority
    for days_ago in (1, 30, 364, 366):
        download(resource_version, borough=hackney, days_ago=days_ago)
    edge = download(resource_version, borough=hackney)  # inside the window by a minute, on its first day
    type(edge).objects.filter(pk=edge.pk).update(
        downloaded_at=timezone.now() - timezone.timedelta(days=365) + timezone.timedelta(minutes=1)
    )
    summaries.refresh_now()
    client.force_login(admin)
    download(resource_version, borough=hackney)  # after the summaries were built: counted live
    rows = {row.la_code: row for row in client.get(DASHBOARD).context["board"].rows}
    assert rows[204].toolkit_downloads == 1 + 3 + 1 + 1  # the fixture's, three in the window, the edge, today's
    with override_settings(FIGURE_SUMMARIES="live"):
        live_rows = {row.la_code: row for row in client.get(DASHBOARD).context["board"].rows}
    assert live_rows[204].toolkit_downloads == rows[204].toolkit_downloads
    months = {
        row["month"]: row["downloads"] for row in public_selectors.open_figures_compute()["toolkit_downloads"]["months"]
    }
    with override_settings(FIGURE_SUMMARIES="live"):
        live_months = public_selectors.open_figures_compute()["toolkit_downloads"]["months"]
    assert months == {row["month"]: row["downloads"] for row in live_months}
    assert sum(months.values()) >= 4


@stored
def test_a_deleted_download_asks_for_a_refresh(london, resource_version, django_capture_on_commit_callbacks):
    row = download(resource_version, borough=london["hackney"][0].local_authority, days_ago=3)
    with django_capture_on_commit_callbacks() as callbacks:
        type(row).objects.filter(pk=row.pk).first().save()  # a save changes nothing: counted live by its time
    assert summaries.refresh_request not in callbacks
    summaries.refresh_now()
    with mock.patch("insights.tasks.figures_refresh"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        row.delete()
    assert callbacks and SummaryState.objects.get().days_stale
    summaries.refresh_now()  # what the worker then does: the day rows again
    assert not SummaryState.objects.get().days_stale


@stored
def test_rows_built_days_ago_still_give_todays_window_and_ask_for_a_refresh(client, admin, london, resource_version):
    hackney = london["hackney"][0].local_authority
    for days_ago in (1, 2, 5, 40):
        download(resource_version, borough=hackney, days_ago=days_ago)
    summaries.refresh_now()
    # As if built three days ago (and the worker down since): those days' rows are not there yet.
    three_days_ago = timezone.now() - timezone.timedelta(days=3)
    SummaryState.objects.update(built_at=three_days_ago, days_built_on=timezone.localdate(three_days_ago))
    BoroughDayCount.objects.filter(day__gte=timezone.localdate(three_days_ago)).delete()
    client.force_login(admin)
    with mock.patch("insights.tasks.figures_refresh") as task:
        rows = {row.la_code: row for row in client.get(DASHBOARD).context["board"].rows}
    assert task.enqueue.call_count == 1
    assert rows[204].toolkit_downloads == 1 + 4
