"""Coordinators rename a need and change a transition's end date on pages (the API already did both): error
summaries on bad input, nothing written, each change audited from → to; nobody else may."""

import html
from datetime import date

import pytest
from django.urls import reverse

from core.models import AuditEvent
from stepping_stones.models import Cohort, Need

from .factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vru_client(client, vru):
    client.force_login(vru)
    return client


def _body(response):
    return html.unescape(response.content.decode())


def test_the_needs_list_links_to_each_need(vru_client, need):
    body = _body(vru_client.get(reverse("stepping_stones:needs")))
    assert reverse("stepping_stones:need_edit", kwargs={"pk": need.pk}) in body


def test_a_coordinator_renames_a_need(vru_client, vru, need):
    page = reverse("stepping_stones:need_edit", kwargs={"pk": need.pk})
    assert 'value="Attendance"' in _body(vru_client.get(page))
    response = vru_client.post(page, {"name": "School attendance", "description": "Below 90%"})
    assert response.status_code == 302 and response["Location"] == reverse("stepping_stones:needs")
    need.refresh_from_db()
    assert (need.name, need.description) == ("School attendance", "Below 90%")
    event = AuditEvent.objects.filter(verb="stepping_stones.need.updated", target_id=str(need.pk)).get()
    assert event.actor_label == vru.email
    assert event.data == {"name_before": "Attendance", "name": "School attendance"}
    assert "'Attendance' is renamed 'School attendance'." in _body(vru_client.get(reverse("stepping_stones:needs")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "description": ""}, "Enter the need"),
        ({"name": "   ", "description": ""}, "Enter the need"),
        ({"name": "x" * 121, "description": ""}, "The need must be 120 characters or fewer"),
        ({"name": "Ok", "description": "y" * 256}, "The description must be 255 characters or fewer"),
        ({"name": "ANXIETY", "description": ""}, "That need is already on the list."),
    ],
)
def test_a_bad_rename_shows_the_error_summary_and_changes_nothing(vru_client, need, data, message):
    NeedFactory(name="Anxiety")
    before = AuditEvent.objects.count()
    response = vru_client.post(reverse("stepping_stones:need_edit", kwargs={"pk": need.pk}), data)
    body = _body(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in body and message in body
    need.refresh_from_db()
    assert need.name == "Attendance" and AuditEvent.objects.count() == before


def test_an_unknown_need_is_404(vru_client):
    assert vru_client.get(reverse("stepping_stones:need_edit", kwargs={"pk": 999999})).status_code == 404


def test_leads_cannot_rename_a_need(client, secondary_lead, need):
    client.force_login(secondary_lead)
    response = client.post(reverse("stepping_stones:need_edit", kwargs={"pk": need.pk}), {"name": "Changed"})
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.name == "Attendance" and not Need.objects.filter(name="Changed").exists()


def _end_date(day: date) -> dict:
    return {"ends_on_day": str(day.day), "ends_on_month": str(day.month), "ends_on_year": str(day.year)}


def test_a_coordinator_changes_a_cohorts_end_date(vru_client, vru, cohort):
    page = reverse("stepping_stones:cohort_end_date", kwargs={"year": cohort.transition_year})
    detail = _body(vru_client.get(reverse("stepping_stones:cohort_detail", kwargs={"year": 2026})))
    assert page in detail
    form = _body(vru_client.get(page))
    assert f'value="{cohort.ends_on.day}"' in form and f'value="{cohort.ends_on.year}"' in form
    before = cohort.ends_on
    response = vru_client.post(page, _end_date(date(2027, 12, 31)))
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.ends_on == date(2027, 12, 31)
    event = AuditEvent.objects.filter(verb="stepping_stones.cohort.updated", target_id=str(cohort.pk)).get()
    assert event.actor_label == vru.email
    assert event.data == {"ends_on": "2027-12-31", "ends_on_before": before.isoformat()}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ends_on_day": "", "ends_on_month": "", "ends_on_year": ""}, "Enter the date the programme ends"),
        ({"ends_on_day": "31", "ends_on_month": "2", "ends_on_year": "2027"}, "must be a real date"),
        ({"ends_on_day": "1", "ends_on_month": "", "ends_on_year": "2027"}, "must include a month"),
        (_end_date(date(2025, 7, 31)), "The cohort must end after its pupils start Year 7."),
    ],
)
def test_a_bad_end_date_shows_the_error_summary_and_changes_nothing(vru_client, cohort, data, message):
    before = (cohort.ends_on, AuditEvent.objects.count())
    response = vru_client.post(reverse("stepping_stones:cohort_end_date", kwargs={"year": 2026}), data)
    body = _body(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in body and message in body and 'href="#id_ends_on_day"' in body
    cohort.refresh_from_db()
    assert (cohort.ends_on, AuditEvent.objects.count()) == before


def test_leads_cannot_change_the_end_date_and_unknown_cohorts_are_404(client, vru_client, secondary_lead, cohort):
    assert vru_client.get(reverse("stepping_stones:cohort_end_date", kwargs={"year": 2031})).status_code == 404
    client.force_login(secondary_lead)
    before = cohort.ends_on
    response = client.post(
        reverse("stepping_stones:cohort_end_date", kwargs={"year": 2026}), _end_date(date(2028, 1, 1))
    )
    assert response.status_code == 403
    assert Cohort.objects.get(pk=cohort.pk).ends_on == before
