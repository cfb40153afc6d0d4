"""Open figures: counts only (no emails, names or UPNs), small numbers suppressed, cached with the "as of" time,
page and API agree, CSV per dataset, query counts constant."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from officers.models import Assignment
from public import selectors
from tests.accounts.factories import SchoolFactory, headteacher_of, london_authority
from tests.wands.factories import WandRequestFactory
from wands.models import WandRequest

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")


def _schools(count, *, code, **kwargs):
    return [SchoolFactory(local_authority=london_authority(code), **kwargs) for _ in range(count)]


def _take_up(school, status=WandRequest.Status.DELIVERED, quantity=3):
    return WandRequestFactory(school=school, status=status, quantity=quantity)


@pytest.fixture
def london():
    """Hackney (204): 8 open schools, 6 taken up (one request cancelled does not count); Camden (202): 7 schools,
    2 taken up (suppressed); Southwark (210): 7 schools, 5 taken up (withheld too, or London minus Hackney and
    Southwark would give Camden away)."""
    hackney = _schools(8, code=204)
    camden = _schools(7, code=202)
    southwark = _schools(7, code=210)
    for school in southwark[:5]:
        _take_up(school)
    for school in hackney[:6]:
        _take_up(school)
    WandRequestFactory(school=hackney[6], status=WandRequest.Status.CANCELLED, quantity=2)
    for school in camden[:2]:
        _take_up(school, quantity=5)
    for school in [*hackney, *camden]:
        headteacher_of(school, full_name="Hana Sensitive-Name", email=f"head{school.pk}@example.org")
    return {"hackney": hackney, "camden": camden, "southwark": southwark}


def _borough(rows, code):
    return next(row for row in rows if row["la_code"] == code)


class TestFigures:
    def test_take_up_counts_are_exact_counts_of_schools(self, london):
        """Counts of schools are not personal (issue 16): published as they are, small ones included."""
        figures = selectors.open_figures_compute()
        hackney = _borough(figures["wands"]["boroughs"], 204)
        camden = _borough(figures["wands"]["boroughs"], 202)
        assert hackney == {
            "la_code": 204,
            "la_name": "Hackney",
            "gss_code": "E09000012",
            "open_schools": 8,
            "schools_taken_up": 6,
            "percent_taken_up": 75.0,
            "wands_delivered": 18,
            "note": "",  # eight open schools: the percentage needs no word
        }
        assert camden["schools_taken_up"] == 2 and camden["percent_taken_up"] == 28.6
        assert camden["wands_delivered"] == 10 and camden["open_schools"] == 7
        london_row = figures["wands"]["london"]
        assert london_row["schools_taken_up"] == 13 and london_row["wands_delivered"] == 43
        assert len(figures["wands"]["boroughs"]) == 33  # every London borough, none outside

    def test_boroughs_add_up_to_london(self, london):
        figures = selectors.open_figures_compute()
        boroughs = figures["wands"]["boroughs"]
        assert sum(row["schools_taken_up"] for row in boroughs) == figures["wands"]["london"]["schools_taken_up"]
        assert sum(row["wands_delivered"] for row in boroughs) == figures["wands"]["london"]["wands_delivered"]

    def test_zero_is_zero(self, london):
        figures = selectors.open_figures_compute()
        islington = _borough(figures["wands"]["boroughs"], 206)
        assert islington["open_schools"] == 0 and islington["schools_taken_up"] == 0
        assert islington["percent_taken_up"] is None

    def test_police_contacts_per_borough(self, london):
        from tests.officers.factories import OfficerFactory  # noqa: PLC0415

        officer = OfficerFactory()
        for school in london["hackney"][:6]:
            Assignment.objects.create(officer=officer, school=school, start_date="2026-01-01", weight=1)
        ended = london["hackney"][6]
        Assignment.objects.create(
            officer=officer, school=ended, start_date="2025-01-01", end_date="2025-12-31", weight=1
        )
        figures = selectors.open_figures_compute()
        hackney = _borough(figures["police_contacts"]["boroughs"], 204)
        assert hackney["schools_with_contact"] == 6 and hackney["percent_with_contact"] == 75.0
        for school in london["hackney"][6:]:
            Assignment.objects.create(officer=officer, school=school, start_date="2026-02-01", weight=1)
        hackney = _borough(selectors.open_figures_compute()["police_contacts"]["boroughs"], 204)
        assert hackney["schools_with_contact"] == 8 and hackney["percent_with_contact"] == 100.0
        assert hackney["police"] == "Central East"

    def test_toolkit_downloads_per_month_covers_twelve_months(self, london):
        months = selectors.open_figures_compute()["toolkit_downloads"]["months"]
        assert len(months) == 12
        assert all(row["downloads"] == 0 for row in months)

    def test_no_personal_data_anywhere(self, client, london):
        api = client.get(reverse("public-api:figures"))
        text = api.content.decode()
        for dataset in selectors.OPEN_DATASETS:
            response = client.get(reverse("public-api:figures-csv", kwargs={"dataset": dataset}))
            text += b"".join(response.streaming_content).decode()
        text += client.get(reverse("public:figures")).content.decode()
        assert not EMAIL.search(text), EMAIL.search(text)
        assert not UPN.search(text)
        assert "Sensitive-Name" not in text
        for school in london["hackney"]:
            assert school.name not in text
            assert f'"{school.pk}"' not in text


class TestCacheAndAgreement:
    def test_cached_with_as_of(self, client, london):
        first = client.get(reverse("public-api:figures")).json()
        _take_up(london["camden"][2])
        second = client.get(reverse("public-api:figures")).json()
        assert first == second  # the cached copy, for 10 minutes
        cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)
        third = client.get(reverse("public-api:figures")).json()
        assert _borough(third["wands"]["boroughs"], 202)["schools_taken_up"] == 3
        assert _borough(first["wands"]["boroughs"], 202)["schools_taken_up"] == 2
        assert third["as_of"] >= first["as_of"]

    def test_page_and_api_agree(self, client, london):
        data = client.get(reverse("public-api:figures")).json()
        page = client.get(reverse("public:figures")).content.decode()
        assert f'datetime="{data["as_of"]}"' in page
        for row in data["wands"]["boroughs"]:
            match = re.search(rf'data-code="{row["la_code"]}">.*?data-figure="schools_taken_up">([^<]+)<', page, re.S)
            shown = match.group(1).strip()
            assert shown == str(row["schools_taken_up"])

    def test_csv_matches_the_json(self, client, london):
        data = client.get(reverse("public-api:figures")).json()
        response = client.get(reverse("public-api:figures-csv", kwargs={"dataset": "wands-take-up"}))
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert len(rows) == 33
        camden = next(row for row in rows if row["la_code"] == "202")
        assert camden["schools_taken_up"] == "2" and "suppressed" not in camden
        hackney = next(row for row in rows if row["la_code"] == "204")
        assert int(hackney["schools_taken_up"]) == _borough(data["wands"]["boroughs"], 204)["schools_taken_up"]

    def test_unknown_dataset_is_404(self, client):
        assert client.get(reverse("public-api:figures-csv", kwargs={"dataset": "nope"})).status_code == 404

    def test_in_the_openapi_schema(self, client):
        schema = client.get(reverse("api-schema"), {"format": "json"})
        paths = json.loads(schema.content)["paths"]
        assert "/api/v1/open/figures/" in paths
        assert "/api/v1/open/figures/{dataset}.csv" in paths


class TestQueryCounts:
    def test_constant_as_schools_grow(self, client, django_assert_max_num_queries, london):
        with django_assert_max_num_queries(12):
            selectors.open_figures_compute()
        for school in _schools(20, code=210):
            _take_up(school)
        with django_assert_max_num_queries(12):
            selectors.open_figures_compute()

    def test_page_reads_the_cache(self, client, django_assert_max_num_queries, london):
        client.get(reverse("public:figures"))
        with django_assert_max_num_queries(2):
            assert client.get(reverse("public:figures")).status_code == 200


def test_csv_whatever_the_accept_header(client):
    response = client.get(
        reverse("public-api:figures-csv", kwargs={"dataset": "toolkit-downloads"}), HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    missing = client.get(reverse("public-api:figures-csv", kwargs={"dataset": "nope"}), HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_stepping_stones_places_per_cohort_with_pupil_counts_suppressed(client):
    from tests.stepping_stones.factories import CohortFactory, ParticipatingSchoolFactory

    busy, quiet = CohortFactory(transition_year=2026), CohortFactory(transition_year=2025)
    ParticipatingSchoolFactory(cohort=busy, places=60, places_taken=40)
    ParticipatingSchoolFactory(cohort=busy, places=60, places_taken=13)
    ParticipatingSchoolFactory(cohort=quiet, places=30, places_taken=3)
    data = client.get(reverse("public-api:figures")).json()
    cohorts = {row["transition_year"]: row for row in data["stepping_stones"]["cohorts"]}
    assert cohorts[2026] == {
        "cohort": "2026 transition",
        "transition_year": 2026,
        "participating_schools": 2,
        "places_available": 120,
        "places_filled": 55,  # 53 pupils: rounded to the nearest 5
        "suppressed": False,
    }
    assert cohorts[2025]["places_filled"] is None and cohorts[2025]["suppressed"] is True
    assert cohorts[2025]["places_available"] == 30
    page = client.get(reverse("public:figures")).content.decode()
    assert "2025 transition" in page and "fewer than 5" in page
    assert 'id="places-withheld"' in page  # the chart says what it does not draw
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    client.get(
                        reverse("public-api:figures-csv", kwargs={"dataset": "stepping-stones-places"})
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert {row["transition_year"]: row["places_filled"] for row in csv_rows} == {"2026": "55", "2025": ""}


def test_the_take_up_chart_draws_every_borough_with_schools_that_took_it_up(client, london):
    """The chart drew only the boroughs with zero (the others were withheld): counts of schools are all drawn."""
    from public.views import figures_charts

    charts = figures_charts(selectors.open_figures_compute())
    drawn = {bar.label: bar for bar in charts["take_up"].bars}
    assert len(drawn) == 33
    assert (drawn["Hackney"].value, drawn["Camden"].value, drawn["Southwark"].value) == (6, 2, 5)
    assert drawn["Camden"].height > 0 or drawn["Camden"].width > 0  # a small count is drawn, not withheld
    assert not any(bar.suppressed for bar in drawn.values())
    page = client.get(reverse("public:figures")).content.decode()
    assert 'id="take-up-none"' not in page


def test_a_chart_of_nothing_but_zeros_is_not_drawn(client, db):
    from public.views import figures_charts

    SchoolFactory(local_authority=london_authority(204))
    charts = figures_charts(selectors.open_figures_compute())
    assert charts["take_up"] is None and charts["contacts"] is None and charts["downloads"] is None
    page = client.get(reverse("public:figures")).content.decode()
    assert "No London school has taken up the wand offer yet." in page
    assert "No toolkit files have been downloaded in the last 12 months." in page
