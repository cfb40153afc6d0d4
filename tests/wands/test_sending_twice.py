"""Sending twice, going back, no JavaScript: the request form says what was sent and asks before a second request
within a day; a second submission of the same decision is answered with the first one's result."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wands import services
from wands.models import WandRequest

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "quantity": "2",
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "delivery_address": "1 High Street\nLondon",
        "delivery_postcode": "E8 1AA",
        "policy_confirmed": "on",
    }
    data.update(overrides)
    return data


def test_the_form_shows_the_request_waiting_and_asks_before_a_second_within_a_day(client, head, school, submit):
    url = reverse("wands:request_new", kwargs={"urn": school.pk})
    client.force_login(head)
    first_visit = client.get(url).content.decode()
    assert 'id="already-sent"' not in first_visit and "send_another" not in first_visit
    sent = submit(2)
    page = client.get(url).content.decode()
    at = timezone.localtime(sent.created_at).strftime("%H:%M")
    assert f"You sent {sent.reference} at {at}" in page
    assert reverse("wands:request_detail", kwargs={"pk": sent.pk}) in page and "view it" in page
    refused = client.post(url, _form())
    assert refused.status_code == 200
    assert f"Your school sent {sent.reference} less than a day ago" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()
    confirmed = client.post(url, _form(send_another="on"))
    assert confirmed["Location"] == reverse("wands:request_check", kwargs={"urn": school.pk})
    assert WandRequest.objects.count() == 1  # nothing is sent before check-your-answers


def test_after_a_day_no_confirmation_is_asked(client, head, school, submit, admin):
    sent = submit(2)
    WandRequest.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(days=2))
    client.force_login(head)
    response = client.post(reverse("wands:request_new", kwargs={"urn": school.pk}), _form())
    assert response.status_code == 302
    # Still waiting for a decision: the form still says so.
    page = client.get(reverse("wands:request_new", kwargs={"urn": school.pk})).content.decode()
    assert f"You sent {sent.reference}" in page
    services.wand_request_reject(wand_request_id=sent.pk, actor=admin, reason="Duplicate")
    assert (
        f"You sent {sent.reference}"
        not in client.get(reverse("wands:request_new", kwargs={"urn": school.pk})).content.decode()
    )


def test_approving_twice_without_javascript_answers_with_the_first_result(client, admin, submit, add_stock):
    add_stock(10)
    wand_request = submit(2)
    client.force_login(admin)
    url = reverse("wands:request_decide", kwargs={"pk": wand_request.pk})
    client.post(url, {"decision": "approve"})
    second = client.post(url, {"decision": "approve"}, follow=True)
    body = second.content.decode()
    assert f"{wand_request.reference} is approved and its wands are reserved." in body
    assert "govuk-error-summary" not in body and "already" not in body
    wand_request.refresh_from_db()
    assert wand_request.status == WandRequest.Status.APPROVED


def test_a_different_second_decision_or_someone_elses_is_still_refused(client, admin, submit, add_stock):
    from tests.accounts.factories import programme_admin

    from .conftest import with_two_factor

    add_stock(10)
    wand_request = submit(2)
    client.force_login(admin)
    url = reverse("wands:request_decide", kwargs={"pk": wand_request.pk})
    client.post(url, {"decision": "approve"})
    changed_mind = client.post(url, {"decision": "reject", "reason": "No"})
    assert changed_mind.status_code == 200 and "already approved" in changed_mind.content.decode()
    client.force_login(with_two_factor(programme_admin()))
    other = client.post(url, {"decision": "approve"})
    assert other.status_code == 200 and "already approved" in other.content.decode()
