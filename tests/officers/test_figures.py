"""The officers app's figures (core.figures) and the other programmes' counts in the queue and an officer's schools."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

import core.figures
from core.figures import Activity
from officers import figures
from officers.models import OfficerRequest
from tests.accounts.factories import SchoolFactory, london_authority

from .factories import AssignmentFactory, officer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_programme(monkeypatch):
    """A programme that reports 3 pupils (a small count) and 12 requests for every school it is asked about."""
    real = core.figures._figures_modules

    def school_activity(ids):
        return {
            school_id: [
                Activity("Fake programme", "Pupils supported", 3, suppress_small=True),
                Activity("Fake programme", "Requests", 12),
            ]
            for school_id in ids
        }

    def modules():
        yield from real()
        yield SimpleNamespace(school_activity=school_activity)

    monkeypatch.setattr(core.figures, "_figures_modules", modules)


def test_school_activity_counts_open_headteacher_requests(school, reference_data):
    other = SchoolFactory(latitude=51.55, longitude=-0.06)
    OfficerRequest.objects.create(school=school, kind="new", reason="We have none")
    result = figures.school_activity([school.pk, other.pk])
    assert [(a.label, a.count) for a in result[school.pk]] == [("Headteacher requests open", 1)]
    assert result[other.pk][0].count == 0


def test_tasks_for_allocators_count_schools_without_an_officer_and_requests(alloc, school, near, reference_data):
    covered = SchoolFactory(latitude=51.55, longitude=-0.06)
    AssignmentFactory(school=covered, officer=near)
    SchoolFactory(local_authority=london_authority(302))  # Barnet: another BCU, not counted
    OfficerRequest.objects.create(school=school, kind="new", reason="We have none")
    tasks = {t.label: t for t in figures.tasks_for(alloc)}
    assert tasks["Schools waiting for a named officer"].count == 1
    assert tasks["Of them, asked for by their headteacher"].count == 1
    assert tasks["Schools waiting for a named officer"].url == reverse("officers:queue")
    assert figures.tasks_for(officer_user(near)) == []
    # Through core.figures, as the landing page reads them.
    assert any(t.programme == figures.PROGRAMME for t in core.figures.collect_tasks(alloc))


def test_queue_shows_other_programmes_counts_with_small_counts_hidden(client, alloc, school, fake_programme):
    client.force_login(alloc)
    body = client.get(reverse("officers:queue")).content.decode()
    assert "Activity in other programmes" in body
    assert "Fake programme: pupils supported fewer than 5" in body
    assert "Fake programme: requests 12" in body
    assert "Headteacher requests open" not in body  # the officers app's own figure is not repeated


def test_officer_sees_other_programmes_counts_for_their_schools(client, school, near, fake_programme):
    AssignmentFactory(school=school, officer=near)
    client.force_login(officer_user(near))
    body = client.get(reverse("officers:my_schools")).content.decode()
    assert school.name in body
    assert "Fake programme: pupils supported fewer than 5" in body


def test_my_schools_query_count_does_not_grow(client, near, reference_data, django_assert_max_num_queries):
    client.force_login(officer_user(near))
    for _ in range(3):
        AssignmentFactory(school=SchoolFactory(latitude=51.54, longitude=-0.05), officer=near, weight=1)
    client.get(reverse("officers:my_schools"))
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse("officers:my_schools")).status_code == 200
    for _ in range(40):
        AssignmentFactory(school=SchoolFactory(latitude=51.54, longitude=-0.05), officer=near, weight=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("officers:my_schools")).status_code == 200


def test_queue_and_my_schools_api_carry_the_counts(school, near, alloc, fake_programme):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alloc)
    [row] = api.get(reverse("officers-api:queue")).json()["results"]
    assert {"programme": "Fake programme", "label": "Pupils supported", "display": "fewer than 5"} in row["activity"]
    AssignmentFactory(school=school, officer=near)
    api.force_authenticate(officer_user(near))
    [mine] = api.get(reverse("officers-api:my-schools")).json()
    assert {"programme": "Fake programme", "label": "Requests", "display": "12"} in mine["activity"]


def test_the_landing_task_count_and_the_queue_count_agree(client, alloc, school, near, reference_data):
    """The issue: the landing page added unassigned schools and requests (a school with an officer asking for a
    change, or an unassigned school that asked, was counted differently from the queue)."""
    covered = SchoolFactory(latitude=51.55, longitude=-0.06)
    AssignmentFactory(school=covered, officer=near)
    OfficerRequest.objects.create(school=covered, kind="change", reason="Never visits")  # has an officer, asks
    OfficerRequest.objects.create(school=school, kind="new", reason="We have none")  # no officer, asks
    SchoolFactory(latitude=51.54, longitude=-0.05)  # no officer, has not asked
    tasks = {t.label: t.count for t in figures.tasks_for(alloc)}
    client.force_login(alloc)
    response = client.get(reverse("officers:queue"))
    assert response.context["page"].paginator.count == tasks["Schools waiting for a named officer"] == 3
    assert tasks["Of them, asked for by their headteacher"] == 2
    assert "3 schools in the queue, 2 of them asked for by their headteachers" in response.content.decode()
