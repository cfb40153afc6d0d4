"""The cross-programme dashboard and the London map: right numbers per borough, the map agrees with a direct count,
measures and filters switch, allocators see only their BCUs, small pupil counts are hidden, queries stay constant."""

import re
from html import unescape

import pytest
from django.urls import reverse

from officers.models import Assignment
from schools.models import School
from tests.officers.factories import AssignmentFactory, OfficerFactory
from tests.wands.factories import WandRequestFactory
from wands.models import WandRequest

from .conftest import download, places, school_in

URL = reverse("insights:dashboard")
TILE = re.compile(r'<g class="insights-tile" data-la-code="(\d+)" data-value="([^"]*)">')


def tiles(response) -> dict[int, str]:
    return {int(code): unescape(value) for code, value in TILE.findall(response.content.decode())}


@pytest.fixture
def london(cohort, resource_version):
    """Schools in Hackney (204, Central East), Camden (202, Central North), Croydon (306) and the City (201)."""
    hackney = [school_in(204) for _ in range(4)]
    camden = [school_in(202) for _ in range(2)]
    croydon_primary = school_in(306, primary=True)
    city = school_in(201)
    school_in(204, closed=True)  # not counted: closed
    WandRequestFactory(school=hackney[0], approved=True)
    WandRequestFactory(school=hackney[0], delivered=True, quantity=5)  # one school, counted once
    WandRequestFactory(school=hackney[1], delivered=True, quantity=3)
    WandRequestFactory(school=hackney[2], cancelled=True)  # cancelled: not taken up
    WandRequestFactory(school=hackney[3])  # submitted only: not taken up
    WandRequestFactory(school=camden[0], waiting=True)
    WandRequestFactory(school=croydon_primary, delivered=True, quantity=2)
    AssignmentFactory(school=hackney[0])
    AssignmentFactory(school=hackney[1])
    AssignmentFactory(school=camden[1], end_date="2026-01-31", start_date="2025-01-01")  # ended: not current
    places(cohort, hackney[0], places=60, taken=12)
    places(cohort, camden[0], places=40, taken=3)
    for _ in range(3):
        download(resource_version, borough=hackney[0].local_authority)
    download(resource_version, borough=hackney[0].local_authority, days_ago=400)  # older than 12 months
    download(resource_version, borough=croydon_primary.local_authority)
    return {"hackney": hackney, "camden": camden, "croydon": croydon_primary, "city": city}


def test_figures_per_borough_side_by_side(client, admin, london):
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 200
    rows = {row.la_code: row for row in response.context["board"].rows}
    assert len(rows) == 33  # VRU roles: all of London, the City included
    hackney = rows[204]
    assert (hackney.open_schools, hackney.schools_taken_up, hackney.take_up_percent) == (4, 2, 50.0)
    assert hackney.wands_delivered == 8
    assert (hackney.schools_with_officer, hackney.officer_cover_percent) == (2, 50.0)
    assert (hackney.stepping_stones_enrolled, hackney.stepping_stones_places) == (12, 60)
    assert hackney.toolkit_downloads == 3
    camden = rows[202]
    assert (camden.schools_taken_up, camden.schools_with_officer, camden.stepping_stones_enrolled) == (1, 0, 3)
    assert rows[201].officer_cover_percent is None  # the City of London Police: not a Met measure
    assert rows[306].wands_delivered == 2 and rows[306].toolkit_downloads == 1
    totals = response.context["board"].totals
    assert totals.open_schools == 8 and totals.schools_taken_up == 4 and totals.wands_delivered == 10
    assert totals.officer_cover_percent == round(100 * 2 / 7, 1)  # the City's school is not policed by the Met


@pytest.mark.parametrize(
    ("measure", "direct"),
    [
        (
            "schools_taken_up",
            lambda code: (
                School.objects.filter(
                    local_authority_id=code,
                    status__in=School.OPEN_STATUSES,
                    wand_requests__status__in=WandRequest.TAKEN_UP,
                )
                .distinct()
                .count()
            ),
        ),
        (
            "open_schools",
            lambda code: School.objects.filter(local_authority_id=code, status__in=School.OPEN_STATUSES).count(),
        ),
        (
            "wands_delivered",
            lambda code: sum(
                WandRequest.objects.filter(
                    school__local_authority_id=code, status=WandRequest.Status.DELIVERED
                ).values_list("quantity", flat=True)
            ),
        ),
    ],
)
def test_the_map_has_33_boroughs_with_the_values_of_a_direct_count(client, admin, london, measure, direct):
    client.force_login(admin)
    response = client.get(URL, {"measure": measure})
    shown = tiles(response)
    assert len(shown) == 33
    for code, value in shown.items():
        assert value == f"{direct(code):,}", code
    html = response.content.decode()
    assert html.count('<g class="insights-tile"') == 33
    assert html.count("<title>") >= 34  # the map's own title and one per square


def test_percent_measure_on_the_map_and_in_its_table(client, admin, london):
    client.force_login(admin)
    response = client.get(URL, {"measure": "officer_cover_percent"})
    shown = tiles(response)
    assert shown[204] == "50%"
    assert shown[201] == "n/a"  # City of London: shown, out of scope for police measures
    assert shown[302] == "n/a"  # Barnet has no open schools in this test
    table = {row["la_code"]: row for row in response.context["measure_rows"]}
    assert table[204]["display"] == "50%"
    assert "City of London Police" in table[201]["reason"]
    html = response.content.decode()
    assert "City of London Police: not covered by the Met" in html
    assert "Key: Open schools with a named police contact (%)" in html
    bins = response.context["tile_map"].bins
    assert bins and all(band.label in html for band in bins)  # the key's bands come from the values shown
    assert any(band.contains(50, last=i == len(bins) - 1) for i, band in enumerate(bins))


def test_switching_the_measure_recolours_the_map(client, admin, london):
    client.force_login(admin)
    first = client.get(URL, {"measure": "wands_delivered"})
    second = client.get(URL, {"measure": "open_schools"})
    assert first.context["measure"].key == "wands_delivered"
    assert second.context["measure"].key == "open_schools"
    assert tiles(first)[204] == "8" and tiles(second)[204] == "4"
    fills = lambda r: {t.la_code: t.fill for t in r.context["tile_map"].tiles}  # noqa: E731
    assert fills(first) != fills(second)
    assert 'data-measure="open_schools"' in second.content.decode()
    assert "Key: Open schools" in second.content.decode()


def test_filter_by_bcu_and_phase(client, admin, london):
    client.force_login(admin)
    response = client.get(URL, {"bcu": "central-east"})
    assert {row.la_code for row in response.context["board"].rows} == {204, 211}
    assert tiles(response)[202] == "–"  # Camden is outside the chosen BCU: shown grey, no value
    response = client.get(URL, {"phase": "primary", "measure": "open_schools"})
    rows = {row.la_code: row for row in response.context["board"].rows}
    assert rows[306].open_schools == 1 and rows[204].open_schools == 0
    # Stepping Stones is not split by phase: differences between phases could give small numbers away.
    assert rows[204].stepping_stones_places == 60


def test_an_unknown_filter_value_shows_an_error_summary_and_the_defaults(client, admin, london):
    client.force_login(admin)
    response = client.get(URL, {"measure": "nonsense", "bcu": "atlantis", "phase": "secondary"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "<title>Error: Schools safety across London" in html
    assert "Choose a measure from the list" in html and "Choose a BCU from the list" in html
    assert response.context["measure"].key == "wand_take_up_percent"
    assert response.context["board"].phase == "secondary"  # the valid filter still applies


def test_allocators_see_only_their_bcus(client, central_east_allocator, london):
    client.force_login(central_east_allocator)
    response = client.get(URL)
    assert response.status_code == 200
    assert {row.la_code for row in response.context["board"].rows} == {204, 211}
    shown = tiles(response)
    assert len(shown) == 33  # the whole of London drawn, the rest grey
    assert shown[202] == "–" and shown[201] == "–"
    html = response.content.decode()
    assert "Camden" not in re.search(r'id="borough-table".*?</table>', html, re.S).group(0)
    form_choices = [value for value, _ in response.context["form"].fields["bcu"].choices]
    assert form_choices == ["", "central-east"]
    response = client.get(URL, {"bcu": "central-north"})  # not theirs
    assert "Choose a BCU from the list" in response.content.decode()
    assert {row.la_code for row in response.context["board"].rows} == {204, 211}


def test_small_pupil_counts_are_hidden_from_everyone_but_coordinators(client, admin, coordinator, london):
    client.force_login(admin)
    response = client.get(URL, {"measure": "stepping_stones_enrolled"})
    rows = {row.la_code: row for row in response.context["board"].rows}
    assert rows[202].stepping_stones_enrolled_display == "fewer than 5"
    assert rows[204].stepping_stones_enrolled_display == "10"  # 12, rounded to the nearest 5
    assert tiles(response)[202] == "<5"
    assert "fewer than 5" in response.content.decode()
    # 12 + 3 = 15, rounded (to 15): minus Hackney's published 10 gives 5, not Camden's 3.
    assert response.context["board"].totals.stepping_stones_enrolled_display == "15"
    assert "12 / " not in response.content.decode()
    client.force_login(coordinator)
    response = client.get(URL, {"measure": "stepping_stones_enrolled"})
    assert tiles(response)[202] == "3"
    assert response.context["board"].totals.stepping_stones_enrolled_display == "15"


def test_allocators_see_suppressed_pupil_counts(client, central_east_allocator, cohort):
    hackney = school_in(204)
    places(cohort, hackney, places=30, taken=2)
    client.force_login(central_east_allocator)
    response = client.get(URL, {"measure": "stepping_stones_enrolled"})
    assert tiles(response)[204] == "<5"
    assert "2 / 30" not in response.content.decode()
    assert "fewer than 5 / 30" in response.content.decode()


@pytest.mark.parametrize("role", ["headteacher", "police_officer", "fulfilment_staff", "signed_in"])
def test_others_may_not_see_the_dashboard(client, role):
    from core.access import collect_role_builders

    client.force_login(collect_role_builders()[role]())
    assert client.get(URL).status_code == 403


def _grow(cohort, resource_version, boroughs):
    for code in boroughs:
        for _ in range(3):
            school = school_in(code)
            WandRequestFactory(school=school, delivered=True)
            AssignmentFactory(school=school, officer=OfficerFactory())
            places(cohort, school, places=10, taken=5)
            download(resource_version, borough=school.local_authority)


def test_queries_stay_constant_as_schools_and_boroughs_grow(
    client, admin, cohort, resource_version, django_assert_max_num_queries
):
    client.force_login(admin)
    _grow(cohort, resource_version, [204])
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(20) as small:
        client.get(URL, {"measure": "officer_cover_percent"})
    _grow(cohort, resource_version, [202, 203, 205, 206, 301, 302, 306, 320])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"measure": "officer_cover_percent"})
    assert Assignment.objects.count() == 27
    assert sum(row.open_schools for row in response.context["board"].rows) == 27


@pytest.mark.parametrize("hour", [9, 15])
def test_as_of_ends_with_one_full_stop(client, admin, hour):
    """'as of 6 December 2026, 3:20 p.m..' had two; GOV.UK style writes 3:20pm."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    moment = timezone.make_aware(dt.datetime(2026, 12, 6, hour, 20))
    client.force_login(admin)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        html = client.get(URL).content.decode()
    html = html.replace("\n", " ")
    expected = f"6 December 2026 at {hour % 12 or 12}:20{'pm' if hour >= 12 else 'am'}</span>."
    assert expected in html
    assert "m.." not in html and ".." not in html.split('id="as-of"')[1][:80]
