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
    assert tasks["Schools without a named officer"].count == 1
    assert tasks["Schools whose headteacher asked for an officer or a change"].count == 1
    assert tasks["Schools without a named officer"].url == reverse("officers:queue") + "?show=no-officer"
    assert tasks["Schools whose headteacher asked for an officer or a change"].url.endswith("?show=asked")
    assert figures.tasks_for(officer_user(near)) == []
    # Through core.figures, as the landing page reads them.
    assert any(t.programme == figures.PROGRAMME for t in core.figures.collect_tasks(alloc))


def test_queue_shows_other_programmes_counts_with_small_counts_hidden(client, alloc, school, fake_programme):
    client.force_login(alloc)
    body = client.get(reverse("officers:queue")).content.decode()
    assert "Activity in other programmes" in body
    assert "Pupils supported: fewer than 5" in body
    assert "Requests: 12" in body
    assert "Headteacher requests open" not in body  # the officers app's own figure is not repeated


def test_officer_sees_other_programmes_counts_for_their_schools(client, school, near, fake_programme):
    AssignmentFactory(school=school, officer=near)
    client.force_login(officer_user(near))
    body = client.get(reverse("officers:my_schools")).content.decode()
    assert school.name in body
    assert "Pupils supported: fewer than 5" in body


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


def test_each_landing_task_opens_the_queue_showing_just_its_schools(client, alloc, school, near, reference_data):
    """Each home-page task opens the queue filtered to what it counts, and the page counts what the task said (the
    two links opened the same unfiltered queue, whose title said every school in it was waiting for an officer)."""
    covered = SchoolFactory(name="Covered but asking", latitude=51.55, longitude=-0.06)
    AssignmentFactory(school=covered, officer=near)
    OfficerRequest.objects.create(school=covered, kind="change", reason="Never visits")  # has an officer, asks
    OfficerRequest.objects.create(school=school, kind="new", reason="We have none")  # no officer, asks
    quiet = SchoolFactory(name="Quiet school", latitude=51.54, longitude=-0.05)  # no officer, has not asked
    tasks = {t.label: t for t in figures.tasks_for(alloc)}
    client.force_login(alloc)
    expected = {
        "Schools without a named officer": {school.name, quiet.name},
        "Schools whose headteacher asked for an officer or a change": {school.name, covered.name},
    }
    for label, names in expected.items():
        response = client.get(tasks[label].url)
        assert tasks[label].count == response.context["page"].paginator.count == len(names)
        assert {row["school"].name for row in response.context["rows"]} == names
    whole = client.get(reverse("officers:queue")).content.decode()
    assert "3 schools in the queue: 2 without a named officer, 2 asked for by their headteachers." in whole
    assert "Schools in your queue" in whole and "waiting for a named officer" not in whole
    only_asked = client.get(tasks["Schools whose headteacher asked for an officer or a change"].url).content.decode()
    assert "2 of the 3 schools in the queue were asked for by their headteachers." in only_asked
    assert '<option value="asked" selected>' in only_asked
