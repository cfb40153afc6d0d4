"""Each move through enrolled → active → completed needs a short reason, recorded in the audit with from → to."""

import html

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import Referral

pytestmark = pytest.mark.django_db
S = Referral.Status


@pytest.fixture
def placed(make_referral, secondary_lead):
    referral = make_referral()
    services.referral_accept(actor=secondary_lead, referral=referral)
    return referral


def _moves(referral):
    return AuditEvent.objects.filter(
        target_id=str(referral.pk),
        verb__in=[f"stepping_stones.referral.{s}" for s in ("enrolled", "active", "completed")],
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_the_service_refuses_a_move_without_a_reason(placed, secondary_lead, reason):
    with pytest.raises(DomainError) as refused:
        services.referral_advance(actor=secondary_lead, referral=placed, to=S.ENROLLED, reason=reason)
    assert refused.value.field == "reason" and "short reason" in refused.value.message
    placed.refresh_from_db()
    assert placed.status == S.ACCEPTED and not _moves(placed).exists()


def test_the_service_refuses_a_long_reason(placed, secondary_lead):
    with pytest.raises(DomainError) as refused:
        services.referral_advance(actor=secondary_lead, referral=placed, to=S.ENROLLED, reason="x" * 501)
    assert refused.value.field == "reason" and "500 characters" in refused.value.message
    placed.refresh_from_db()
    assert placed.status == S.ACCEPTED


def test_each_move_is_audited_from_to_with_its_reason(placed, secondary_lead):
    reasons = {S.ENROLLED: "Started Year 7", S.ACTIVE: "Came to the first session", S.COMPLETED: "Finished Year 7"}
    for step, reason in reasons.items():
        services.referral_advance(actor=secondary_lead, referral=placed, to=step, reason=f"  {reason} ")
    moves = list(_moves(placed).order_by("id").values_list("from_state", "to_state", "reason", "actor_label"))
    assert moves == [
        ("accepted", "enrolled", "Started Year 7", secondary_lead.email),
        ("enrolled", "active", "Came to the first session", secondary_lead.email),
        ("active", "completed", "Finished Year 7", secondary_lead.email),
    ]


def test_the_page_shows_an_error_and_changes_nothing_without_a_reason(client, placed, secondary_lead):
    client.force_login(secondary_lead)
    page = reverse("stepping_stones:referral_status", kwargs={"reference": placed.reference})
    response = client.post(page, {"status": "enrolled", "reason": ""})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "Enter a short reason for the change of status" in body
    assert 'href="#id_reason"' in body
    placed.refresh_from_db()
    assert placed.status == S.ACCEPTED and not _moves(placed).exists()
    response = client.post(page, {"status": "enrolled", "reason": "Started Year 7"})
    assert response.status_code == 302
    placed.refresh_from_db()
    assert placed.status == S.ENROLLED
    assert _moves(placed).get().reason == "Started Year 7"


def test_the_page_asks_for_the_reason(client, placed, secondary_lead):
    client.force_login(secondary_lead)
    body = client.get(reverse("stepping_stones:referral_status", kwargs={"reference": placed.reference})).content
    assert b'name="reason"' in body and b"Why is the status changing?" in body


def test_the_api_answers_400_without_a_reason_and_writes_nothing(placed, secondary_lead):
    api = APIClient()
    api.force_authenticate(secondary_lead)
    advance = reverse("stepping_stones-api:advance", kwargs={"reference": placed.reference})
    for body in ({"to": "enrolled"}, {"to": "enrolled", "reason": " "}):
        response = api.post(advance, body, format="json")
        assert response.status_code == 400, response.content
        assert "short reason" in response.json()["errors"]["reason"][0]
    placed.refresh_from_db()
    assert placed.status == S.ACCEPTED and not _moves(placed).exists()
    response = api.post(advance, {"to": "enrolled", "reason": "Started Year 7"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "enrolled"
    event = _moves(placed).get()
    assert (event.from_state, event.to_state, event.reason) == ("accepted", "enrolled", "Started Year 7")
