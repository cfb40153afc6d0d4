"""The register's list totals are cached (core.pagination.CachedCountPaginator, schools/counts.py): these tests fail
if a total is ever stale after a write the service makes, or if the cache stops saving the COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import School
from schools.services import gias_import_run

from .factories import SchoolFactory
from .factories import create_schools as make_register
from .gias_fixtures import gias_row, write_gias

pytestmark = pytest.mark.django_db


def api_count(client, **params) -> int:
    return client.get("/api/v1/schools/", params).json()["count"]


def count_queries(captured) -> int:
    return sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_a_repeated_list_counts_once(client):
    make_register(30)
    with CaptureQueriesContext(connection) as first:
        assert api_count(client) == 30
    with CaptureQueriesContext(connection) as second:
        assert api_count(client) == 30
    assert (count_queries(first), count_queries(second)) == (1, 0)
    # The Find a school page too.
    with CaptureQueriesContext(connection) as page_first:
        client.get("/schools/", {"q": "Test"})
    with CaptureQueriesContext(connection) as page_second:
        response = client.get("/schools/", {"q": "Test"})
    assert (count_queries(page_first), count_queries(page_second)) == (1, 0)
    assert response.context["page"].paginator.count == 30


def test_each_filter_has_its_own_total(client):
    make_register(5)
    SchoolFactory(secondary=True)
    assert api_count(client) == 6
    assert api_count(client, phase="secondary") == 1
    assert api_count(client, phase="primary") == 5


def test_saving_adding_or_deleting_a_school_makes_the_total_fresh(client):
    make_register(3)
    assert api_count(client) == 3
    school = SchoolFactory()
    assert api_count(client) == 4
    school.status = School.Status.CLOSED
    school.save()
    assert api_count(client) == 3  # closed schools are left out by default
    school.delete()
    assert api_count(client, include_closed="true") == 3


def test_a_gias_import_makes_the_total_fresh(client, tmp_path):
    assert api_count(client) == 0
    gias_import_run(path=write_gias(tmp_path / "edubasealldata20260101.csv", [gias_row(100001), gias_row(100002)]))
    assert api_count(client) == 2
    gias_import_run(
        path=write_gias(
            tmp_path / "edubasealldata20260102.csv",
            [gias_row(100001), gias_row(100002, status="Closed", close_date="31-08-2025")],
        )
    )
    assert api_count(client) == 1
    gias_import_run(path=write_gias(tmp_path / "edubasealldata20260103.csv", [gias_row(100001)]), full_extract=True)
    assert api_count(client) == 1
    assert api_count(client, include_closed="true") == 2


def test_a_total_follows_a_write_to_any_table_its_query_joins():
    """A total cached under a scope whose writers did not announce the write (a bulk update of a joined table sends no
    signal) is counted again: its key holds the version of every table the query joins (core.data_versions)."""
    from core.pagination import cached_count_paginator
    from schools.models import LocalAuthority

    make_register(3)
    authority = School.objects.first().local_authority
    paginator = cached_count_paginator("test-joined")

    def total() -> int:
        schools = School.objects.filter(local_authority__name=authority.name)
        return paginator(schools, 10, count_key=f"by-name:{authority.name}").count

    assert total() == 3
    with CaptureQueriesContext(connection) as again:
        assert total() == 3
    assert count_queries(again) == 0
    LocalAuthority.objects.filter(pk=authority.pk).update(name="Renamed")
    assert total() == 0
