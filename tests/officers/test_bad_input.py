"""The issue's bad input not covered elsewhere: an end date before the start, a school with no coordinates in the
optimiser (borough centre, said so), an infeasible area (covers what it can by priority, lists the rest in order)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from officers import selectors
from officers.models import OfficerRequest, SchoolWeightOverride
from tests.accounts.factories import SchoolFactory

from .factories import AssignmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_end_date_before_the_start_or_in_the_future_is_400_and_nothing_changes(alloc, school, near):
    today = timezone.localdate()
    assignment = AssignmentFactory(school=school, officer=near, start_date=today - timedelta(days=10))
    api = APIClient()
    api.force_authenticate(alloc)
    url = reverse("officers-api:assignment-end", kwargs={"pk": assignment.pk})
    before = api.post(url, {"reason": "Left", "end_date": str(today - timedelta(days=11))}, format="json")
    assert before.status_code == 400 and "before the start date" in before.json()["errors"]["end_date"][0]
    future = api.post(url, {"reason": "Left", "end_date": str(today + timedelta(days=1))}, format="json")
    assert future.status_code == 400 and "future" in future.json()["errors"]["end_date"][0]
    assert selectors.named_officer_for(school) == near
    ended = api.post(url, {"reason": "Left last week", "end_date": str(today - timedelta(days=3))}, format="json")
    assert ended.status_code == 200
    assignment.refresh_from_db()
    assert assignment.end_date == today - timedelta(days=3)


def test_optimiser_uses_the_borough_centre_for_a_school_without_coordinates_and_says_so(client, alloc, near):
    unlocated = SchoolFactory(name="No Location School")  # no latitude or longitude; Hackney has a centre
    client.force_login(alloc)
    body = client.get(reverse("officers:optimiser"), {"bcu": near.bcu_id}).content.decode()
    assert "1 school in this BCU has no location of its own" in body
    assert "No Location School (no location: borough centre used)" in body
    assert f'value="{unlocated.pk}:{near.pk}"' in body


def test_infeasible_area_covers_by_priority_and_lists_the_rest_most_urgent_first(client, alloc, reference_data):
    officer = OfficerFactory(capacity=20, base_latitude=51.545, base_longitude=-0.055)
    asked_too_heavy = SchoolFactory(name="Asked Heavy School", latitude=51.55, longitude=-0.05)
    asked_fits = SchoolFactory(name="Asked Light School", latitude=51.58, longitude=-0.05)
    near_school = SchoolFactory(name="Near School", latitude=51.545, longitude=-0.055)
    for school, weight in ((asked_too_heavy, 30), (asked_fits, 20), (near_school, 20)):
        SchoolWeightOverride.objects.create(school=school, weight=weight, reason="test")
    for school in (asked_too_heavy, asked_fits):
        OfficerRequest.objects.create(school=school, kind="new", reason="Please")
    plan = selectors.area_plan(user=alloc, bcu_id=officer.bcu_id)
    assert plan.plan.assignments == {asked_fits.pk: officer.pk}  # the school that asked, though further away
    assert [row["school"] for row in plan.uncovered_rows()] == [asked_too_heavy, near_school]
    client.force_login(alloc)
    body = client.get(reverse("officers:optimiser"), {"bcu": officer.bcu_id}).content.decode()
    heavy_at, near_at = body.index("Asked Heavy School (asked for an officer)"), body.index("Near School:")
    assert heavy_at < near_at and "not enough officer capacity in the BCU" in body
