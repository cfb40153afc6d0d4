"""The insights API agrees with the pages, keeps the same scope, and answers 400 with field errors for bad filters."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.factories import headteacher_of, with_two_factor
from tests.officers.factories import AssignmentFactory, allocator, officer_user
from tests.wands.factories import WandRequestFactory

from .conftest import download, places, school_in

DASHBOARD = reverse("insights-api:dashboard")
MAP = reverse("insights-api:map")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def data(cohort, resource_version):
    hackney = [school_in(204) for _ in range(3)]
    camden = school_in(202)
    WandRequestFactory(school=hackney[0], delivered=True, quantity=4)
    WandRequestFactory(school=camden, approved=True)
    AssignmentFactory(school=hackney[1])
    places(cohort, hackney[0], places=50, taken=20)
    places(cohort, camden, places=20, taken=4)
    download(resource_version, borough=camden.local_authority)
    return {"hackney": hackney, "camden": camden}


def test_dashboard_json_agrees_with_the_page(client, api, admin, data):
    client.force_login(admin)
    page = client.get(reverse("insights:dashboard"), {"phase": "secondary"}).context["board"]
    api.force_authenticate(admin)
    body = api.get(DASHBOARD, {"phase": "secondary"}).json()
    assert body["phase"] == "secondary" and body["small_counts_suppressed"] is True
    assert len(body["boroughs"]) == 33
    by_code = {row["la_code"]: row for row in body["boroughs"]}
    for row in page.rows:
        api_row = by_code[row.la_code]
        assert api_row["open_schools"] == row.open_schools
        assert api_row["schools_taken_up"] == row.schools_taken_up
        assert api_row["wands_delivered"] == row.wands_delivered
        assert api_row["officer_cover_percent"] == row.officer_cover_percent
        assert api_row["stepping_stones_pupils_label"] == row.stepping_stones_enrolled_display
        assert api_row["toolkit_downloads_12_months"] == row.toolkit_downloads
    assert by_code[202]["stepping_stones_pupils"] is None  # 4 pupils: suppressed, the number left out
    assert by_code[202]["stepping_stones_pupils_label"] == "fewer than 5"
    assert by_code[204]["stepping_stones_pupils"] == 20
    assert by_code[201]["officer_cover_percent"] is None and by_code[201]["schools_with_officer"] is None
    assert body["totals"]["open_schools"] == page.totals.open_schools
    # 20 + a hidden 4 = 24, published rounded (25): 25 - 20 is 5, not the hidden 4.
    assert body["totals"]["stepping_stones_pupils"] == 25
    assert body["totals"]["stepping_stones_pupils_label"] == "25"


def test_map_json_agrees_with_the_map(client, api, admin, data):
    client.force_login(admin)
    page = client.get(reverse("insights:dashboard"), {"measure": "wands_delivered"})
    tiles = {tile.la_code: tile for tile in page.context["tile_map"].tiles}
    api.force_authenticate(admin)
    body = api.get(MAP, {"measure": "wands_delivered"}).json()
    assert body["measure"] == "wands_delivered" and len(body["boroughs"]) == 33
    for row in body["boroughs"]:
        assert row["colour"] == tiles[row["la_code"]].fill
    hackney = next(row for row in body["boroughs"] if row["la_code"] == 204)
    assert (hackney["value"], hackney["abbreviation"], hackney["col"], hackney["row"]) == (4, "HCK", 5, 2)
    assert [b["label"] for b in body["bins"]] == [b.label for b in page.context["tile_map"].bins]


def test_allocators_get_their_bcus_only(api, data):
    api.force_authenticate(allocator("central-east"))
    body = api.get(DASHBOARD).json()
    assert {row["la_code"] for row in body["boroughs"]} == {204, 211}
    body = api.get(MAP, {"measure": "open_schools"}).json()
    camden = next(row for row in body["boroughs"] if row["la_code"] == 202)
    assert camden["in_scope"] is False and camden["value"] is None
    response = api.get(DASHBOARD, {"bcu": "central-north"})
    assert response.status_code == 400 and "bcu" in response.json()["errors"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"phase": "sixth"}, "phase"), ({"bcu": "atlantis"}, "bcu"), ({"measure": "wealth"}, "measure")],
)
def test_bad_filters_are_400_with_field_errors(api, admin, params, field):
    api.force_authenticate(admin)
    response = api.get(MAP, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_others_get_403_and_visitors_401(api, data):
    assert api.get(DASHBOARD).status_code == 401
    api.force_authenticate(with_two_factor(headteacher_of(data["hackney"][0])))
    assert api.get(DASHBOARD).status_code == 403
    assert api.get(MAP).status_code == 403


def test_school_profile_json_is_scoped_and_counts_only_for_police(api, data):
    school = data["camden"]
    url = reverse("insights-api:school-profile", kwargs={"urn": school.pk})
    api.force_authenticate(with_two_factor(headteacher_of(data["hackney"][0])))
    assert api.get(url).status_code == 404  # not their school
    assignment = AssignmentFactory(school=school)
    api.force_authenticate(officer_user(assignment.officer))
    body = api.get(url).json()
    assert body["urn"] == school.pk and body["named_officer"]["name"] == assignment.officer.name
    assert body["stepping_stones"]["pupils_in_programme"] is None
    assert body["stepping_stones"]["pupils_in_programme_label"] == "fewer than 5"
    assert body["wand_requests"][0]["status"] == "approved"
    api.force_authenticate(with_two_factor(headteacher_of(school)))
    body = api.get(url).json()
    assert body["stepping_stones"]["pupils_in_programme"] == 4  # the head leads Stepping Stones at the school


def test_schema_lists_the_insights_endpoints(api):
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/insights/dashboard/", "/api/v1/insights/map/", "/api/v1/insights/schools/{urn}/"):
        assert path in schema


@pytest.mark.parametrize("endpoint", [DASHBOARD, MAP])
def test_endpoint_queries_stay_constant_as_schools_grow(api, admin, cohort, endpoint, django_assert_max_num_queries):
    api.force_authenticate(admin)
    school_in(204)
    with django_assert_max_num_queries(20) as few:
        assert api.get(endpoint).status_code == 200
    for code in (202, 203, 204, 301, 306, 320):
        for _ in range(3):
            school = school_in(code)
            WandRequestFactory(school=school, delivered=True)
            AssignmentFactory(school=school)
            places(cohort, school, places=10, taken=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(endpoint).json()
    assert len(body["boroughs"]) == 33
