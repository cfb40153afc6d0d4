"""Invitation abuse (issue 17, finding 6): only verified organisations invite; invitations are limited per organisation
and per sender in any 24 hours (counted in the database); the email's subject carries no text the sender chose."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import OrganisationInvitation
from core.errors import LimitReached
from tests.accounts.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    programme_admin,
)

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "URGENT: your account is suspended, call 0800 000 000"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ORGANISATION_INVITATIONS_PER_DAY = 4
    settings.INVITATIONS_PER_SENDER_PER_DAY = 3


@pytest.fixture
def organisation():
    return OrganisationFactory(verified=True, name=HOSTILE_NAME)


def member_of(organisation):
    return OrganisationMembershipFactory(organisation=organisation).user


def invite(actor, organisation, email):
    return services.organisation_invite(actor=actor, organisation_id=organisation.pk, email=email)


def age_invitations(hours: float) -> None:
    OrganisationInvitation.objects.update(created_at=timezone.now() - timedelta(hours=hours))


class TestOnlyVerifiedOrganisationsInvite:
    def test_a_member_of_a_pending_organisation_cannot_invite(self, client):
        pending = OrganisationFactory(name="Not Yet Checked")
        member = member_of(pending)
        with pytest.raises(PermissionDenied):
            invite(member, pending, "anyone@example.org")
        client.force_login(member)
        detail = client.get(reverse("accounts:organisation_detail", kwargs={"pk": pending.pk})).content.decode()
        assert reverse("accounts:organisation_invite", kwargs={"pk": pending.pk}) not in detail
        assert "once the programme team has verified" in detail
        assert client.get(reverse("accounts:organisation_invite", kwargs={"pk": pending.pk})).status_code == 403
        response = client.post(
            reverse("accounts-api:organisation_invite", kwargs={"pk": pending.pk}),
            {"email": "anyone@example.org"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json()["code"] == "organisation_not_verified"
        assert "verified" in response.json()["errors"]["non_field_errors"][0]
        assert not OrganisationInvitation.objects.exists() and mail.outbox == []

    def test_nor_can_a_programme_admin_on_its_behalf(self):
        admin = programme_admin()
        pending = OrganisationFactory()
        with pytest.raises(PermissionDenied):
            invite(admin, pending, "anyone@example.org")


class TestLimits:
    def test_per_sender_in_any_24_hours(self, organisation):
        sender = member_of(organisation)
        for index in range(3):
            invite(sender, organisation, f"friend{index}@example.org")
        with pytest.raises(LimitReached, match="You have sent 3 invitations in the last 24 hours") as error:
            invite(sender, organisation, "one-more@example.org")
        assert error.value.code == "invitation_limit" and error.value.status_code == 429
        assert OrganisationInvitation.objects.count() == 3
        invite(member_of(organisation), organisation, "from-someone-else@example.org")  # another sender may
        age_invitations(hours=24.1)
        invite(sender, organisation, "next-day@example.org")  # a rolling day, counted from the database

    def test_per_organisation_across_its_members(self, organisation):
        first, second = member_of(organisation), member_of(organisation)
        for index in range(2):
            invite(first, organisation, f"a{index}@example.org")
            invite(second, organisation, f"b{index}@example.org")
        with pytest.raises(LimitReached, match="has sent 4 invitations in the last 24 hours"):
            invite(member_of(organisation), organisation, "c@example.org")
        # Another organisation has its own allowance.
        other = OrganisationFactory(verified=True)
        invite(member_of(other), other, "c@example.org")

    def test_the_sender_limit_spans_organisations(self, organisation):
        other = OrganisationFactory(verified=True)
        sender = member_of(organisation)
        OrganisationMembershipFactory(organisation=other, user=sender)
        invite(sender, organisation, "a@example.org")
        invite(sender, other, "b@example.org")
        invite(sender, other, "c@example.org")
        with pytest.raises(LimitReached):
            invite(sender, organisation, "d@example.org")

    def test_the_page_shows_the_limit_in_the_error_summary(self, client, organisation):
        sender = member_of(organisation)
        for index in range(3):
            invite(sender, organisation, f"friend{index}@example.org")
        client.force_login(sender)
        response = client.post(
            reverse("accounts:organisation_invite", kwargs={"pk": organisation.pk}), {"email": "more@example.org"}
        )
        text = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in text and "<title>Error:" in text
        assert "You have sent 3 invitations in the last 24 hours" in text
        assert OrganisationInvitation.objects.count() == 3

    def test_the_api_answers_429_with_a_clear_message(self, client, organisation):
        sender = member_of(organisation)
        for index in range(3):
            invite(sender, organisation, f"friend{index}@example.org")
        client.force_login(sender)
        response = client.post(
            reverse("accounts-api:organisation_invite", kwargs={"pk": organisation.pk}),
            {"email": "more@example.org"},
            content_type="application/json",
        )
        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "invitation_limit"
        assert "You have sent 3 invitations in the last 24 hours" in body["errors"]["non_field_errors"][0]
        assert 0 < int(response["Retry-After"]) <= 24 * 60 * 60
        assert OrganisationInvitation.objects.count() == 3

    def test_defaults(self, settings):
        from schools_portal.settings import base

        assert (base.ORGANISATION_INVITATIONS_PER_DAY, base.INVITATIONS_PER_SENDER_PER_DAY) == (20, 10)


def test_the_subject_carries_nothing_the_sender_chose(organisation, run_on_commit):
    with run_on_commit():
        invite(member_of(organisation), organisation, "new@example.org")
    (message,) = mail.outbox
    assert message.subject == "You're invited to join an organisation on the London Schools Safety Portal"
    assert "URGENT" not in message.subject


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_declined_still_refused_and_strangers_still_404(client, organisation):
    declined = OrganisationFactory(declined=True)
    with pytest.raises(PermissionDenied):
        invite(member_of(declined), declined, "x@example.org")
    client.force_login(UserFactory())
    url = reverse("accounts-api:organisation_invite", kwargs={"pk": organisation.pk})
    assert client.post(url, {"email": "x@example.org"}, content_type="application/json").status_code == 404
