"""Every school in the queue has a number of days waiting, so the queue can be sorted by it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from officers import selectors
from officers.models import OfficerRequest
from schools.models import School
from tests.accounts.factories import SchoolFactory

from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(near, reference_data):
    today = timezone.localdate()
    SchoolFactory(name="Opened School", open_date=today - timedelta(days=400))
    registered = SchoolFactory(name="Registered School", open_date=None)
    School.objects.filter(pk=registered.pk).update(created_at=timezone.now() - timedelta(days=30))
    ended = SchoolFactory(name="Ended School", open_date=today - timedelta(days=4000))
    AssignmentFactory(
        school=ended, officer=near, start_date=today - timedelta(days=100), end_date=today - timedelta(days=10)
    )
    asking = SchoolFactory(name="Asking School", open_date=today - timedelta(days=4000))
    AssignmentFactory(school=asking, officer=near, start_date=today - timedelta(days=200))
    request = OfficerRequest.objects.create(school=asking, kind="change", reason="Never visits")
    OfficerRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=3))
    return {"opened": 400, "registered": 30, "ended": 10, "asking": 3}


def test_days_waiting_is_a_number_for_every_school(alloc, schools):
    days = {s.name: selectors.days_waiting(s) for s in selectors.queue_for(alloc)}
    assert days == {"Opened School": 400, "Registered School": 30, "Ended School": 10, "Asking School": 3}


def test_the_queue_sorts_by_days_waiting_or_name(client, alloc, schools):
    client.force_login(alloc)

    def names(sort):
        response = client.get(reverse("officers:queue"), {"sort": sort})
        return [row["school"].name for row in response.context["rows"]]

    assert names("days") == ["Opened School", "Registered School", "Ended School", "Asking School"]
    assert names("name") == ["Asking School", "Ended School", "Opened School", "Registered School"]
    assert names("requests")[0] == "Asking School"
    assert names("<script>") == names("requests")  # an unknown sort is the default, not an error
    page = client.get(reverse("officers:queue")).content.decode()
    assert "Never assigned" not in page and ">400</td>" in page


def test_the_api_gives_days_waiting_for_every_school(alloc, schools):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alloc)
    rows = api.get(reverse("officers-api:queue")).json()["results"]
    assert all(isinstance(row["days_waiting"], int) for row in rows) and len(rows) == 4
