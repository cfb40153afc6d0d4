"""A place offered from the waiting list must be confirmed within STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS school days;
after its expiry date the daily job passes it to the next pupil on the list, as a withdrawal does."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import Referral

pytestmark = pytest.mark.django_db
S = Referral.Status


@pytest.fixture
def offer(make_referral, secondary_lead, participating, django_capture_on_commit_callbacks):
    """The school is full (3 places); two pupils wait; a withdrawal offers the freed place to the first."""
    placed = [make_referral(n) for n in range(3)]
    for referral in placed:
        services.referral_accept(actor=secondary_lead, referral=referral)
    first, second = make_referral(30), make_referral(31)
    services.referral_waitlist(actor=secondary_lead, referral=first)
    services.referral_waitlist(actor=secondary_lead, referral=second)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_withdraw(actor=secondary_lead, referral=placed[0], reason="Family moved away")
    first.refresh_from_db()
    return {"offered": first, "next": second, "placed": placed}


def _expire(referral, days_ago=1):
    """Move an offer's expiry into the past (as if the school days had gone by)."""
    Referral.objects.filter(pk=referral.pk).update(offer_expires_on=timezone.localdate() - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("offered_on", "days", "expires_on"),
    [
        (date(2026, 11, 27), 10, date(2026, 12, 11)),  # Friday + 10 school days = the Friday two weeks on
        (date(2026, 11, 25), 1, date(2026, 11, 26)),  # Wednesday -> Thursday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday: weekends are not school days
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # offered on a Saturday -> Monday
    ],
)
def test_the_expiry_date_counts_school_days(offered_on, days, expires_on):
    assert services.offer_expiry_date(offered_on, days) == expires_on


def test_the_number_of_school_days_is_a_setting(settings):
    settings.STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS = 3
    assert services.offer_expiry_school_days() == 3
    assert services.offer_expiry_date(date(2026, 11, 27)) == date(2026, 12, 2)
    del settings.STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS
    assert services.offer_expiry_school_days() == 10


@pytest.mark.parametrize("bad", [0, -1, "10", True, 2.5])
def test_a_bad_setting_fails_the_system_check(settings, bad):
    settings.STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS = bad
    assert "stepping_stones.E002" in [message.id for message in run_checks()]


def test_an_offer_has_an_expiry_date_audited_and_emailed(offer, secondary_lead):
    offered = offer["offered"]
    assert offered.status == S.OFFERED
    assert offered.offer_expires_on == services.offer_expiry_date(timezone.localdate())
    event = AuditEvent.objects.filter(verb="stepping_stones.referral.offered", target_id=str(offered.pk)).get()
    assert event.data["offer_expires_on"] == offered.offer_expires_on.isoformat()
    offer_mail = [m for m in mail.outbox if offered.reference in m.subject]
    assert [m.to for m in offer_mail] == [[secondary_lead.email]]
    assert f"{offered.offer_expires_on:%-d %B %Y}" in offer_mail[0].body
    assert "Testpupil30" not in offer_mail[0].body and offered.upn not in offer_mail[0].body


def test_nothing_expires_until_the_day_after_the_expiry_date(offer):
    offered = offer["offered"]
    report = services.offers_expire(today=offered.offer_expires_on)
    offered.refresh_from_db()
    assert report.expired == [] and offered.status == S.OFFERED


def test_an_expired_offer_passes_to_the_next_pupil(
    offer, participating, secondary_lead, primary_lead, django_capture_on_commit_callbacks
):
    offered, following = offer["offered"], offer["next"]
    _expire(offered)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.offers_expire()
    offered.refresh_from_db()
    following.refresh_from_db()
    participating.refresh_from_db()
    assert report.expired == [offered.reference] and report.offered_on == [following.reference]
    assert offered.status == S.DECLINED
    assert "was not confirmed by" in offered.decline_reason
    assert following.status == S.OFFERED and following.offer_expires_on is not None
    assert participating.places_taken == 3  # the place moved on; never over-filled
    event = AuditEvent.objects.filter(verb="stepping_stones.referral.declined", target_id=str(offered.pk)).get()
    assert (event.from_state, event.to_state, event.actor_label) == ("offered", "declined", "system")
    assert event.data["offer_expired"] is True and "was not confirmed" in event.reason
    recipients = {(tuple(m.to), m.subject) for m in mail.outbox}
    assert any(to == (secondary_lead.email,) and "expired" in subject for to, subject in recipients)
    assert any(to == (primary_lead.email,) and offered.reference in subject for to, subject in recipients)
    assert any(to == (secondary_lead.email,) and following.reference in subject for to, subject in recipients)
    for message in mail.outbox:
        for personal in ("Testpupil30", "Testpupil31", offered.upn, following.upn, "Pat Fictional"):
            assert personal not in message.body and personal not in message.subject
    # Idempotent: the next run finds nothing more to do the same day.
    assert services.offers_expire().expired == []


def test_an_expired_offer_with_nobody_waiting_frees_the_place(offer, participating, secondary_lead):
    services.referral_decline(actor=secondary_lead, referral=offer["next"], reason="Family said no")
    offered = offer["offered"]
    _expire(offered)
    services.offers_expire()
    offered.refresh_from_db()
    participating.refresh_from_db()
    assert offered.status == S.DECLINED and participating.places_taken == 2


def test_a_confirmed_offer_never_expires(offer, secondary_lead, participating):
    offered = offer["offered"]
    services.referral_accept(actor=secondary_lead, referral=offered)
    _expire(offered, days_ago=5)
    assert services.offers_expire().expired == []
    offered.refresh_from_db()
    participating.refresh_from_db()
    assert offered.status == S.ACCEPTED and participating.places_taken == 3


def test_the_command_passes_expired_offers_on_and_says_what_it_did(offer):
    _expire(offer["offered"])
    out = StringIO()
    call_command("stepping_stones_offer_expiry", stdout=out)
    assert "1 offered place(s) not confirmed" in out.getvalue()
    assert "1 offered to the next pupil" in out.getvalue()
    offer["offered"].refresh_from_db()
    assert offer["offered"].status == S.DECLINED
    out = StringIO()
    call_command("stepping_stones_offer_expiry", stdout=out)
    assert out.getvalue().startswith("0 offered place(s)")


def test_the_lead_sees_the_expiry_date_on_the_referral_and_the_confirm_page(client, offer, secondary_lead):
    offered = offer["offered"]
    client.force_login(secondary_lead)
    expected = f"{offered.offer_expires_on:%-d %B %Y}"
    detail = client.get(reverse("stepping_stones:referral_detail", kwargs={"reference": offered.reference}))
    assert detail.status_code == 200
    assert 'id="offer-expiry"' in detail.content.decode() and expected in detail.content.decode()
    confirm = client.get(reverse("stepping_stones:referral_confirm_place", kwargs={"reference": offered.reference}))
    assert confirm.status_code == 200 and expected in confirm.content.decode()


def test_the_api_gives_the_expiry_date(offer, secondary_lead):
    api = APIClient()
    api.force_authenticate(secondary_lead)
    offered = offer["offered"]
    body = api.get(reverse("stepping_stones-api:referral", kwargs={"reference": offered.reference})).json()
    assert body["status"] == "offered" and body["offer_expires_on"] == offered.offer_expires_on.isoformat()
