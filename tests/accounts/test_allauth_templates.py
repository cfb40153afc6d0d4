"""allauth's pages are portal pages: GOV.UK layout, titles, error summary linked to the fields, plain-word emails."""

import re
import time

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

SERVICE = "London Schools Safety Portal"
PASSWORD = "a-long-test-password"

pytestmark = pytest.mark.django_db


def make_user(email="head@example.org", password=PASSWORD, *, verified=True):
    user = get_user_model().objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def sign_in(client, user, password=PASSWORD):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return user


def confirm_its_me(client, password=PASSWORD):
    """allauth asks for the password again (within 5 minutes) before two-factor settings change."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def totp_code(secret: str) -> str:
    """The current code, never one about to expire: a code read in the last seconds of its 30-second window reached
    the server in the next one, which refused it (a one-in-a-few-hundred failure under load)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_totp(client, user, secret):
    sign_in(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302 and response.wsgi_request.user == user
    confirm_its_me(client)


def title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "page has no <title>"
    return " ".join(match.group(1).split())


def error_summary_links(response) -> list[tuple[str, str]]:
    """(href, message) for each entry of the GOV.UK error summary, which must come before the page's h1."""
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, "no GOV.UK error summary on the page"
    assert html.index('class="govuk-error-summary"') < html.index("<h1"), "the error summary must open the page"
    summary = html[html.index('class="govuk-error-summary"') : html.index("<h1")]
    return re.findall(r'<li><a href="(#[^"]*)">(.*?)</a></li>', summary)


def assert_govuk_page(response, page_title: str, *, error: bool = False):
    assert response.status_code == 200
    expected = f"{'Error: ' if error else ''}{page_title} – {SERVICE}"
    assert title(response) == expected
    html = response.content.decode()
    assert 'class="govuk-template__body"' in html  # the portal's base template, not allauth's bare layout
    assert f'<h1 class="govuk-heading-l">{page_title}</h1>' in html or "govuk-panel__title" in html
    assert "Menu:" not in html  # allauth's own layout is gone


def assert_field_error(response, field_id: str):
    html = response.content.decode()
    assert f'id="{field_id}-error" class="govuk-error-message"' in html
    assert re.search(rf'<input class="govuk-input[^"]*govuk-input--error[^"]*" id="{field_id}"', html)
    assert f'aria-describedby="{field_id}-error"' in html or re.search(
        rf'aria-describedby="[^"]*{field_id}-error"', html
    )


# --- sign in -------------------------------------------------------------------------------------------------------


def test_sign_in_page(client):
    response = client.get(reverse("account_login"))
    assert_govuk_page(response, "Sign in")
    html = response.content.decode()
    assert '<label class="govuk-label" for="id_login">Email address</label>' in html
    assert 'autocomplete="current-password"' in html
    assert f'href="{reverse("account_reset_password")}">Forgotten your password?</a>' in html
    assert "govuk-error-summary" not in html


def test_sign_in_with_nothing_entered_lists_each_field(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    assert_govuk_page(response, "Sign in", error=True)
    hrefs = [href for href, _ in error_summary_links(response)]
    assert hrefs == ["#id_login", "#id_password"]
    assert_field_error(response, "id_login")
    assert_field_error(response, "id_password")


def test_sign_in_with_wrong_password_links_the_error_to_the_email_field(client):
    make_user()
    response = client.post(reverse("account_login"), {"login": "head@example.org", "password": "not-the-password"})
    assert_govuk_page(response, "Sign in", error=True)
    links = error_summary_links(response)
    assert len(links) == 1
    assert links[0][0] == "#id_login"
    assert "Enter a correct email address and password" in links[0][1]
    # the email address the person typed is kept; the password never is
    html = response.content.decode()
    assert 'value="head@example.org"' in html
    assert "not-the-password" not in html


# --- create an account and confirm the email address ---------------------------------------------------------------


def test_sign_up_page(client):
    response = client.get(reverse("account_signup"))
    assert_govuk_page(response, "Create an account")
    html = response.content.decode()
    assert "Confirm your password" in html
    assert 'autocomplete="new-password"' in html


def test_sign_up_with_bad_input_shows_the_error_summary(client):
    response = client.post(
        reverse("account_signup"), {"email": "not-an-email", "password1": "short", "password2": "different"}
    )
    assert_govuk_page(response, "Create an account", error=True)
    hrefs = {href for href, _ in error_summary_links(response)}
    assert "#id_email" in hrefs
    assert hrefs <= {"#id_email", "#id_password1", "#id_password2"}
    assert_field_error(response, "id_email")
    assert 'value="not-an-email"' in response.content.decode()


def test_sign_up_with_a_weak_password_names_the_password_field(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.org", "password1": "password", "password2": "password"}
    )
    assert_govuk_page(response, "Create an account", error=True)
    assert "#id_password1" in {href for href, _ in error_summary_links(response)}


def test_sign_up_sends_a_plain_confirmation_email_and_shows_check_your_email(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # allauth's emails are queued after commit
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.head@example.org",
                "password1": "correct-horse-battery",
                "password2": "correct-horse-battery",
            },
            follow=True,
        )
    assert_govuk_page(response, "Check your email")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.head@example.org"]
    assert message.subject == f"[{SERVICE}] Confirm your email address"
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body)
    assert link, message.body
    assert "new.head@example.org" not in message.body  # no personal data beyond the recipient and the link
    assert "Hello from" not in message.body and "example.com" not in message.body

    confirm = client.get(link.group(0))
    assert_govuk_page(confirm, "Confirm your email address")
    assert "Confirm email address</button>" in confirm.content.decode()
    done = client.post(link.group(0), follow=True)
    assert EmailAddress.objects.get(email="new.head@example.org").verified
    assert "Your email address has been confirmed." in done.content.decode()


def test_an_expired_or_unknown_confirmation_link_says_so(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
    assert_govuk_page(response, "This link cannot be used")


def test_signing_up_with_an_existing_email_looks_the_same_and_emails_the_owner(
    client, django_capture_on_commit_callbacks
):
    make_user("taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "taken@example.org", "password1": "correct-horse-battery", "password2": "correct-horse-battery"},
            follow=True,
        )
    assert_govuk_page(response, "Check your email")
    assert [m.subject for m in mail.outbox] == [f"[{SERVICE}] You already have an account"]


# --- reset a forgotten password -------------------------------------------------------------------------------------


def test_password_reset_with_a_bad_email_shows_the_error_summary(client):
    response = client.post(reverse("account_reset_password"), {"email": "nope"})
    assert_govuk_page(response, "Reset your password", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_email"]
    assert_field_error(response, "id_email")


@pytest.mark.parametrize("known", [True, False])
def test_password_reset_answers_the_same_for_known_and_unknown_emails(
    client, known, django_capture_on_commit_callbacks
):
    if known:
        make_user("known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"),
            {"email": "known@example.org" if known else "other@example.org"},
            follow=True,
        )
    assert_govuk_page(response, "Check your email")
    assert len(mail.outbox) == 1
    expected = "Reset your password" if known else "There is no account for this email address"
    assert mail.outbox[0].subject == f"[{SERVICE}] {expected}"


def test_new_password_page_shows_errors_and_then_confirms(client):
    user = make_user()
    key = default_token_generator.make_token(user)
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    page = client.get(url, follow=True)  # allauth swaps the key for a session value and redirects
    assert_govuk_page(page, "Create a new password")
    action = page.redirect_chain[-1][0] if page.redirect_chain else url

    response = client.post(action, {"password1": "correct-horse-battery", "password2": "something-else-entirely"})
    assert_govuk_page(response, "Create a new password", error=True)
    assert "#id_password2" in {href for href, _ in error_summary_links(response)}

    done = client.post(
        action, {"password1": "correct-horse-battery", "password2": "correct-horse-battery"}, follow=True
    )
    assert_govuk_page(done, "Your password has been changed")
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_a_used_reset_link_says_so(client):
    user = make_user()
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": "bad-key"})
    response = client.get(url, follow=True)
    assert_govuk_page(response, "This link cannot be used")


# --- signed-in pages ------------------------------------------------------------------------------------------------


def test_change_password_with_wrong_current_password(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong-password", "password1": "correct-horse-battery", "password2": "correct-horse-battery"},
    )
    assert_govuk_page(response, "Change your password", error=True)
    assert "#id_oldpassword" in {href for href, _ in error_summary_links(response)}
    assert_field_error(response, "id_oldpassword")


def test_set_password_shows_errors(client):
    user = make_user()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post(reverse("account_set_password"), {"password1": "short", "password2": "short"})
    assert_govuk_page(response, "Set a password", error=True)
    assert "#id_password1" in {href for href, _ in error_summary_links(response)}


def test_sign_out_asks_first_then_signs_out(client):
    client.force_login(make_user())
    response = client.get(reverse("account_logout"))
    assert_govuk_page(response, "Sign out")
    assert "Are you sure you want to sign out?" in response.content.decode()
    done = client.post(reverse("account_logout"), follow=True)
    assert "You have signed out." in done.content.decode()
    assert not done.wsgi_request.user.is_authenticated


def test_email_addresses_page_with_a_bad_address(client):
    client.force_login(make_user())
    response = client.get(reverse("account_email"))
    assert_govuk_page(response, "Your email addresses")
    response = client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})
    assert_govuk_page(response, "Your email addresses", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_email"]


def test_reauthenticate_with_wrong_password(client):
    client.force_login(make_user())
    response = client.post(reverse("account_reauthenticate"), {"password": "wrong-password"})
    assert_govuk_page(response, "Confirm it's you", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_password"]


# --- two-factor authentication -------------------------------------------------------------------------------------


def test_set_up_two_factor_page_shows_qr_code_and_key(client):
    sign_in(client, make_user())
    confirm_its_me(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert_govuk_page(response, "Set up two-factor authentication")
    html = response.content.decode()
    img = re.search(r'<img class="portal-qr-code" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html)
    assert img and "QR code" in img.group(1)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)</p>', html).group(1).replace(" ", "")
    assert secret not in img.group(1)  # the key is in text, not hidden in the alt text
    assert "Enter the 6-digit code" in html


def test_set_up_two_factor_with_a_wrong_code(client):
    sign_in(client, make_user())
    confirm_its_me(client)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert_govuk_page(response, "Set up two-factor authentication", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_code"]
    assert_field_error(response, "id_code")
    assert not Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()


def test_set_up_two_factor_with_the_right_code_shows_recovery_codes(client):
    user = make_user()
    sign_in(client, user)
    confirm_its_me(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True)
    assert_govuk_page(response, "Your recovery codes")
    codes = re.findall(r"<li>([0-9a-z]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_two_factor_sign_in_with_a_wrong_code(client):
    user = make_user()
    with_totp(user)
    first = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert_govuk_page(first, "Check your authenticator app")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert_govuk_page(response, "Check your authenticator app", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_code"]
    assert not response.wsgi_request.user.is_authenticated


def test_two_factor_sign_in_with_the_right_code(client):
    user = make_user()
    secret = with_totp(user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, follow=True)
    assert response.wsgi_request.user == user


def test_two_factor_overview_and_recovery_code_pages(client):
    user = make_user()
    sign_in_with_totp(client, user, with_totp(user))
    assert_govuk_page(client.get(reverse("mfa_index")), "Two-factor authentication")
    assert_govuk_page(client.get(reverse("mfa_view_recovery_codes")), "Your recovery codes")
    assert_govuk_page(client.get(reverse("mfa_generate_recovery_codes")), "Create new recovery codes")
    assert_govuk_page(client.get(reverse("mfa_deactivate_totp")), "Turn off two-factor authentication")


def test_two_factor_reauthentication_with_a_wrong_code(client):
    user = make_user()
    sign_in_with_totp(client, user, with_totp(user))
    response = client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert_govuk_page(response, "Confirm it's you", error=True)
    assert [href for href, _ in error_summary_links(response)] == ["#id_code"]


# --- emails --------------------------------------------------------------------------------------------------------


def test_every_rewritten_email_renders_in_plain_words():
    from django.template.loader import render_to_string

    context = {
        "activate_url": "https://portal.example/account/confirm-email/KEY/",
        "password_reset_url": "https://portal.example/account/password/reset/key/1-abc/",
        "signup_url": "https://portal.example/account/signup/",
        "email": "someone@example.org",
        "code": "123456",
        "timestamp": None,
    }
    names = [
        "account/email/email_confirmation_signup",
        "account/email/email_confirmation",
        "account/email/password_reset_key",
        "account/email/unknown_account",
        "account/email/account_already_exists",
        "account/email/password_changed",
        "account/email/password_reset",
        "account/email/password_set",
        "account/email/email_changed",
        "account/email/email_confirm",
        "account/email/email_deleted",
        "account/email/login_code",
        "account/email/password_reset_code",
        "mfa/email/totp_activated",
        "mfa/email/totp_deactivated",
        "mfa/email/recovery_codes_generated",
    ]
    for name in names:
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        body = render_to_string(f"{name}_message.txt", context)
        assert subject and subject[0].isupper() and "\n" not in subject, name
        assert SERVICE in body, name
        assert "someone@example.org" not in body, f"{name} repeats the email address"
        assert "IP address" not in body and "Browser" not in body, f"{name} carries personal data"
        assert "{%" not in body and "{{" not in body, name


def test_security_notifications_say_when_in_plain_words():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.template.loader import render_to_string

    when = datetime(2026, 3, 4, 16, 5, tzinfo=ZoneInfo("Europe/London"))
    body = render_to_string("account/email/password_changed_message.txt", {"timestamp": when, "ip": "203.0.113.9"})
    assert "This change was made on 4 March 2026 at 4:05pm." in body
    assert "203.0.113.9" not in body
    assert "reset your password" in body


# --- pages this service does not switch on still render as portal pages ---------------------------------------------


def test_enter_a_code_page_has_the_portal_title_and_error_summary(rf):
    """allauth's code pages name a block `title`; the portal's versions keep the page <title> intact."""
    from allauth.account.forms import BaseConfirmCodeForm
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.post(reverse("account_email_verification_sent"))
    request.user = AnonymousUser()
    verify_form = BaseConfirmCodeForm({"code": ""}, code="ABC123")
    html = render_to_string(
        "account/confirm_email_verification_code.html",
        {"verify_form": verify_form, "email": "someone@example.org", "can_resend": True},
        request=request,
    )
    assert f"<title>Error: Check your email – {SERVICE}</title>" in html
    assert html.index('class="govuk-error-summary"') < html.index("<h1")
    assert re.search(r'<li><a href="#id_code">', html)
    assert 'id="id_code-error" class="govuk-error-message"' in html
    assert "Send a new code</button>" in html


def test_generic_elements_emit_govuk_markup(rf):
    """A page left to allauth's own template and elements (here 'send me a sign-in code') gets GOV.UK components."""
    from allauth.account.forms import ResetPasswordForm
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.post("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "account/request_login_code.html",
        {"form": ResetPasswordForm({"email": "nope"}), "request_login_code_url": "/x/", "login_url": "/login/"},
        request=request,
    )
    assert f"<title>Error: Sign In – {SERVICE}</title>" in html
    assert re.search(r'<h1 class="govuk-heading-l">\s*Send me a sign-in code\s*</h1>', html)
    assert '<p class="govuk-body">' in html
    assert html.index('class="govuk-error-summary"') < html.index("<h1")
    assert re.search(r'<li><a href="#id_email">', html)
    assert 'class="govuk-input govuk-input--error' in html
    assert 'class="govuk-button"' in html
    assert re.search(r'<a href="/login/" role="button"[^>]*class="govuk-button govuk-button--secondary"', html)
    assert re.search(r'<form method="post" action="/x/"[^>]*novalidate', html)


def test_the_overview_does_not_offer_turning_off_what_the_persons_roles_require(client):
    """A headteacher's role needs two-factor: offering "Turn off" led to a page refusing it (with a red button)."""
    from tests.accounts.factories import SchoolMembershipFactory

    user = make_user()
    sign_in_with_totp(client, user, with_totp(user))
    page = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_deactivate_totp") in page  # no role needs it yet: it can be turned off
    SchoolMembershipFactory(user=user, headteacher=True)
    page = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_deactivate_totp") not in page
    assert "Your roles need it: it cannot be turned off" in page
