"""An invitation carried through sign-up, as a new invited person walks it: open the invitation link, create an
account, confirm the email address from the email, sign in, and land on the invitation with its action (not the
generic landing page); with two-factor required, after setting it up."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import invitation_resume, services
from accounts.models import SchoolMembership

from .factories import SchoolFactory, UserFactory, programme_admin
from .test_identity_support import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def invited(db):
    school = SchoolFactory(name="Invited Academy")
    _invitation, token = services.headteacher_invite(
        actor=programme_admin(), school=school, email="new.head@example.org"
    )
    return reverse("accounts:invitation_accept", kwargs={"token": token})


def _confirm_from_the_email(client) -> None:
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302


def test_after_sign_up_and_email_confirmation_the_invitee_lands_on_the_invitation(
    client, invited, django_capture_on_commit_callbacks
):
    client.get(invited)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup") + f"?next={invited}",
            {"email": "new.head@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    _confirm_from_the_email(client)
    signed_in = client.post(reverse("account_login"), {"login": "new.head@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == invited
    page = client.get(invited).content.decode()
    assert "Invited Academy" in page and "Accept invitation" in page
    # Used once: the next sign-in goes to the landing page as usual.
    assert invitation_resume.SESSION_KEY not in client.session
    client.post(invited, {})
    assert SchoolMembership.objects.current().filter(user__email="new.head@example.org").exists()


def test_without_an_invitation_sign_in_lands_on_the_landing_page(client):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="someone@example.org")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/"


def test_two_factor_set_up_comes_first_then_the_invitation(client, invited):
    """Someone whose current roles need two-factor (a programme admin invited as a headteacher elsewhere): set-up
    first, then the first page after it (the landing page the set-up's "Continue" leads to) is the invitation."""
    from allauth.account.models import EmailAddress

    user = programme_admin()
    user.email = "new.head@example.org"
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.get(invited)
    signed_in = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert signed_in["Location"] == reverse("mfa_activate_totp")
    assert invitation_resume.SESSION_KEY in client.session  # kept until two-factor is in order
    client.get(reverse("mfa_activate_totp"))
    set_up = client.post(reverse("mfa_activate_totp"), {"code": totp_code(client.session["mfa.totp.secret"])})
    assert set_up.status_code == 302
    # Set-up shows the recovery codes; their "Continue" goes to the landing page, which hands over to the invitation.
    codes = client.get(set_up["Location"]).content.decode()
    assert f'href="{reverse("public:home")}"' in codes
    landing = client.get(reverse("public:home"))
    assert landing.status_code == 302 and landing["Location"] == invited
    assert client.get(reverse("public:home")).status_code == 200  # once


def test_only_an_invitation_page_is_resumed(client, rf):
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory()
    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    request.session[invitation_resume.SESSION_KEY] = "/accounts/"
    assert invitation_resume.take(request) is None
    assert invitation_resume.SESSION_KEY not in request.session
