"""Onboarding by invitation: the invited address is filled in on sign-up, and a signed-in invitee sees the pending
invitation with its action on the page sign-in lands on."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import services
from accounts.models import SchoolMembership
from core.models import AuditEvent

from .factories import SchoolFactory, UserFactory, programme_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(settings):
    school = SchoolFactory(name="Invited Academy")
    invitation, token = services.headteacher_invite(
        actor=programme_admin(), school=school, email="new.head@example.org"
    )
    return invitation, token


def test_the_invited_address_is_filled_in_on_sign_up_and_not_in_the_url(client, invitation):
    _invitation, token = invitation
    accept_url = reverse("accounts:invitation_accept", kwargs={"token": token})
    page = client.get(accept_url).content.decode()
    assert reverse("account_signup") in page
    assert not any("example.org" in href for href in re.findall(r'href="([^"]*)"', page))  # never in a URL
    signup = client.get(reverse("account_signup") + f"?next={accept_url}").content.decode()
    assert 'value="new.head@example.org"' in signup


def test_someone_without_the_link_gets_no_address_filled_in(client, invitation):
    assert "new.head@example.org" not in client.get(reverse("account_signup")).content.decode()


def test_a_signed_in_invitee_sees_the_invitation_and_accepts_it_from_the_landing_page(client, invitation):
    invitation, _token = invitation
    user = UserFactory(email="new.head@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    home = client.get(reverse("public:home")).content.decode()
    assert "You are invited to join Invited Academy as its headteacher" in home
    # The landing page does not say "nothing to do" under an invitation waiting to be accepted.
    assert "You have nothing to do right now" not in home and "Accept your invitation above to start" in home
    action = reverse("accounts:invitation_accept_pending", kwargs={"pk": invitation.pk})
    assert f'action="{action}"' in home
    response = client.post(action)
    assert response.status_code == 302
    membership = SchoolMembership.objects.current().get(user=user)
    assert membership.school == invitation.school and membership.role == "headteacher"
    assert AuditEvent.objects.filter(verb="invitation.accepted").count() == 1
    assert "You are invited" not in client.get(reverse("public:home")).content.decode()


def test_nobody_else_can_accept_it_by_its_number(client, invitation):
    invitation, _token = invitation
    other = UserFactory(email="someone.else@example.org")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    client.force_login(other)
    assert "You are invited" not in client.get(reverse("public:home")).content.decode()
    response = client.post(reverse("accounts:invitation_accept_pending", kwargs={"pk": invitation.pk}))
    assert response.status_code == 404  # someone else's invitation is outside their scope: as if it did not exist
    assert not SchoolMembership.objects.filter(user=other).exists()


def test_an_unverified_address_does_not_see_or_accept_it(client, invitation):
    invitation, _token = invitation
    user = UserFactory(email="new.head@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)
    assert "You are invited" not in client.get(reverse("public:home")).content.decode()
    client.post(reverse("accounts:invitation_accept_pending", kwargs={"pk": invitation.pk}))
    assert not SchoolMembership.objects.filter(user=user).exists()


def test_the_filled_in_address_is_still_confirmed_by_email(client, invitation, settings):
    """A forwarded invitation link is not enough to take the address: sign-up from it still asks for confirmation."""
    _invitation, token = invitation
    accept_url = reverse("accounts:invitation_accept", kwargs={"token": token})
    client.get(accept_url)
    response = client.post(
        reverse("account_signup") + f"?next={accept_url}",
        {"email": "new.head@example.org", "password1": "a-long-test-password-1", "password2": "a-long-test-password-1"},
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(email="new.head@example.org", verified=False).exists()
    assert not EmailAddress.objects.filter(email="new.head@example.org", verified=True).exists()


def test_a_signed_in_invitee_sees_an_organisation_invitation_and_accepts_it(client):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Organisation, OrganisationInvitation, OrganisationMembership
    from accounts.services._common import token_new

    from .factories import OrganisationMembershipFactory

    organisation = OrganisationMembershipFactory(organisation__name="Hackney Faith Forum").organisation
    _token, hashed = token_new()
    invitation = OrganisationInvitation.objects.create(
        email="joiner@example.org",
        organisation=organisation,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(days=7),
    )
    user = UserFactory(email="joiner@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    home = client.get(reverse("public:home")).content.decode()
    assert "You are invited to join Hackney Faith Forum" in home
    client.post(reverse("accounts:organisation_invitation_accept_pending", kwargs={"pk": invitation.pk}))
    assert OrganisationMembership.objects.current().filter(user=user, organisation=organisation).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert "You are invited" not in client.get(reverse("public:home")).content.decode()
