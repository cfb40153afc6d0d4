"""Stepping Stones pages fit for the people who use them: coordinators' national lists stay by reference, Accept is not
offered when the school has no places, a secondary's lead is told where referrals come from, confirmation pages give
the programme's contact details."""

import pytest
from django.urls import reverse

from stepping_stones import services
from stepping_stones.models import Referral

pytestmark = pytest.mark.django_db


def url(name, referral=None, **kwargs):
    if referral is not None:
        kwargs["reference"] = referral.reference
    return reverse(f"stepping_stones:{name}", kwargs=kwargs)


def test_a_coordinators_national_list_stays_by_reference(client, vru, make_referral):
    referral = make_referral(first_name="Zebedee", last_name="Quillfeather")
    client.force_login(vru)
    listing = client.get(url("referral_list")).content.decode()
    assert referral.reference in listing
    assert "Zebedee" not in listing and "Quillfeather" not in listing
    assert "Lists show reference numbers" in listing


def test_another_schools_lead_never_sees_the_name(client, make_referral, primary_lead):
    from .factories import lead_of, primary_school

    referral = make_referral(first_name="Zebedee", last_name="Quillfeather")
    other = lead_of(primary_school())
    client.force_login(other)
    listing = client.get(url("referral_list")).content.decode()
    assert referral.reference not in listing and "Zebedee" not in listing


def test_accept_is_not_offered_when_the_school_is_full(client, secondary_lead, make_referral, participating):
    placed = [make_referral(n=n) for n in range(participating.places)]
    for referral in placed:
        services.referral_accept(actor=secondary_lead, referral=referral)
    waiting = make_referral(n=9)
    client.force_login(secondary_lead)
    page = client.get(url("referral_decide", waiting)).content.decode()
    assert 'value="accept"' not in page and 'value="waitlist"' in page
    assert "has no places left for the 2026 transition" in page and "waiting list" in page
    response = client.post(url("referral_decide", waiting), {"decision": "accept"})
    assert response.status_code == 200
    assert "The school has no places left" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.SUBMITTED
    client.post(url("referral_decide", waiting), {"decision": "waitlist", "priority": "1"})
    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.WAITLISTED


def test_accept_is_offered_while_places_are_left(client, secondary_lead, make_referral):
    referral = make_referral()
    client.force_login(secondary_lead)
    page = client.get(url("referral_decide", referral)).content.decode()
    assert 'value="accept"' in page and "no places left" not in page


def test_a_secondarys_lead_opening_the_referral_start_page_is_told_referrals_come_from_primaries(
    client, secondary_lead, settings
):
    settings.STEPPING_STONES_CONTACT_EMAIL = "ss-team@example.org"
    client.force_login(secondary_lead)
    response = client.get(url("refer_start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Referrals come from primary schools" in body and "ss-team@example.org" in body
    assert url("referral_new") not in body
    # Still cannot refer: opening the first question comes back here (it was a bare 403), sending it is refused.
    opened = client.get(url("referral_new"))
    assert opened.status_code == 302 and opened["Location"] == url("refer_start")
    assert client.post(url("referral_new"), {"first_name": "A"}).status_code == 403


def test_someone_without_a_stepping_stones_role_still_gets_403(client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(url("refer_start")).status_code == 403


def test_the_confirmation_page_gives_the_programmes_contact_details(client, primary_lead, make_referral, settings):
    settings.STEPPING_STONES_CONTACT_EMAIL = "ss-team@example.org"
    settings.STEPPING_STONES_CONTACT_PHONE = "020 7000 1234"
    referral = make_referral()
    client.force_login(primary_lead)
    page = client.get(url("referral_confirmation", referral)).content.decode()
    assert 'href="mailto:ss-team@example.org"' in page and "020 7000 1234" in page


def test_the_referral_history_names_people_not_email_addresses(make_referral, primary_lead, primary):
    from accounts.models import User
    from stepping_stones import pages

    User.objects.filter(pk=primary_lead.pk).update(full_name="")
    referral = make_referral()
    referral.refresh_from_db()
    people = {entry["by"] for entry in pages.referral_history(referral)}
    assert people == {f"the Stepping Stones lead at {primary.name}"}
    User.objects.filter(pk=primary_lead.pk).update(full_name="Priya Primary")
    referral.refresh_from_db()
    assert {entry["by"] for entry in pages.referral_history(referral)} == {"Priya Primary"}
