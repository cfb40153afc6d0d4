"""The school list's queries do not grow with the register: the same count at 10 and 1,000 schools."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import School
from tests.schools.factories import create_schools, local_authority

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]
# Page: COUNT, the page of schools (authority and BCU joined), the borough and BCU options of the filter form.
PAGE_QUERIES = 4
# Filtered page: the chosen borough and BCU are looked up once each to validate them.
FILTERED_PAGE_QUERIES = 6
# API: COUNT and the page of schools.
API_QUERIES = 2
FILTERED_API_QUERIES = 4


def make_register(size: int) -> None:
    """Schools spread over a few boroughs, some with and one without a BCU (City of London)."""
    codes = [201, 202, 204, 302]
    for index, code in enumerate(codes):
        create_schools(
            size // len(codes) + (size % len(codes) if index == 0 else 0), local_authority=local_authority(code)
        )


@pytest.mark.parametrize("size", SIZES)
def test_find_a_school_page(client, size, django_assert_num_queries):
    make_register(size)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get("/schools/")
    assert response.status_code == 200
    assert len(response.context["results"]) == min(size, 25)


@pytest.mark.parametrize("size", SIZES)
def test_find_a_school_page_filtered_and_searched(client, size, django_assert_num_queries):
    make_register(size)
    query = {"q": "school", "borough": 204, "bcu": "central-east", "phase": ["primary", "secondary"], "page": 2}
    with django_assert_num_queries(FILTERED_PAGE_QUERIES):
        response = client.get("/schools/", query)
    assert response.status_code == 200
    assert response.context["page"].number == (2 if size > 100 else 1)


@pytest.mark.parametrize("size", SIZES)
def test_api_list(client, size, django_assert_num_queries):
    make_register(size)
    with django_assert_num_queries(API_QUERIES):
        response = client.get("/api/v1/schools/", {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(size, 200)


@pytest.mark.parametrize("size", SIZES)
def test_api_list_filtered(client, size, django_assert_num_queries):
    make_register(size)
    with django_assert_num_queries(FILTERED_API_QUERIES):
        response = client.get("/api/v1/schools/", {"la_code": 204, "bcu": "central-east", "q": "school"})
    assert response.status_code == 200
    assert response.json()["count"] == size // 4


def test_same_number_of_queries_at_10_and_1000_schools(client):
    """Measured rather than fixed: catches a new per-row query even if the constants above are updated."""
    counts = []
    for added in (10, 990):
        make_register(added)
        with CaptureQueriesContext(connection) as page:
            client.get("/schools/", {"phase": "primary", "borough": 204})
        with CaptureQueriesContext(connection) as api:
            client.get("/api/v1/schools/", {"phase": "primary", "page_size": 200})
        counts.append((len(page), len(api)))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("size", SIZES)
def test_school_page(client, size, django_assert_num_queries):
    make_register(size)
    urn = School.objects.values_list("urn", flat=True).last()
    # The school, and its links to other schools (GIAS links file); a closed school also looks for its successor.
    with django_assert_num_queries(2):
        assert client.get(f"/schools/{urn}/").status_code == 200
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/schools/{urn}/").status_code == 200


def test_reference_lists(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(client.get("/api/v1/local-authorities/").json()) == 33
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/bcus/").json()) == 12
