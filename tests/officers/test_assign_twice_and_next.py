"""Assigning, as a person does it: a second submission of the same decision (no JavaScript, two quick clicks) is
answered with the first one's result; after assigning, the next school waiting is offered. Solver wording for people."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from officers import selectors
from officers.models import Assignment
from tests.accounts.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_same_assignment_posted_twice_is_answered_with_the_first_result(client, alloc, school, near, far):
    client.force_login(alloc)
    url = reverse("officers:school_detail", kwargs={"urn": school.pk})
    first = client.post(url, {"officer": near.pk})
    second = client.post(url, {"officer": near.pk}, follow=True)
    body = second.content.decode()
    assert first.status_code == 302 and second.redirect_chain[0][0] == url
    assert "has a named officer" in body and "govuk-error-summary" not in body
    assert Assignment.objects.filter(school=school).count() == 1
    assert AuditEvent.objects.filter(verb__contains="assign").count() <= 1
    assert selectors.named_officer_for(school) == near


def test_an_older_assignment_to_the_same_officer_is_not_a_repeat(alloc, school, near):
    from .factories import AssignmentFactory

    assignment = AssignmentFactory(school=school, officer=near)
    Assignment.objects.filter(pk=assignment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assignment.refresh_from_db()
    assert not selectors.is_repeat_of_assignment(assignment, officer=near.pk)
    assert not selectors.is_repeat_of_assignment(None, officer=near.pk)


def test_after_assigning_the_next_school_waiting_is_offered(client, alloc, school, near):
    waiting = SchoolFactory(name="Next Waiting School", latitude=51.546, longitude=-0.057)
    client.force_login(alloc)
    url = reverse("officers:school_detail", kwargs={"urn": school.pk})
    assert "Next school waiting" not in client.get(url).content.decode()  # not before the school has its officer
    page = client.post(url, {"officer": near.pk}, follow=True).content.decode()
    assert "Next school waiting" in page
    assert reverse("officers:school_detail", kwargs={"urn": waiting.pk}) in page and "Next Waiting School" in page


def test_the_optimiser_speaks_plainly_and_keeps_the_solver_detail_in_a_details_element(client, alloc, school, near):
    client.force_login(alloc)
    body = client.get(reverse("officers:optimiser"), {"bcu": near.bcu_id}).content.decode()
    plain = body.split('id="plan-quality-')[1].split("</p>")[0]
    assert "seconds" not in plain and "proved" not in plain and "Solver" not in plain
    details = body.split('<details class="govuk-details">')[1].split("</details>")[0]
    assert "How the optimiser worked this out" in details and "seconds" in details
    assert "For 1 BCU" not in body and "The same proposal for your BCU can run in the background" in body
