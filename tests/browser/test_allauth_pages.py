"""Browser journeys through the sign-in pages: create an account, confirm the email, two-factor, sign out and in,
a wrong password, a forgotten password. axe reports 0 violations on every page visited."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "London Schools Safety Portal"
PASSWORD = "a-long-test-password"
TOTP_PERIOD = 30


def totp_at(secret: str, counter: int) -> str:
    """RFC 6238 code, written here so the test does not trust the code it is testing."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str, used: set[str]) -> str:
    """A code for the current period, not used before (allauth refuses a code twice), with time left to submit it."""
    while True:
        now = time.time()
        code = totp_at(secret, int(now) // TOTP_PERIOD)
        if code not in used and TOTP_PERIOD - now % TOTP_PERIOD > 3:
            used.add(code)
            return code
        time.sleep(TOTP_PERIOD - now % TOTP_PERIOD + 0.2)


def wait_for_email(to: str, *, subject_contains: str, timeout: float = 10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in mail.outbox:
            if to in message.to and subject_contains in message.subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} about {subject_contains!r}; outbox: {[m.subject for m in mail.outbox]}")


def link_in(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def on_page(page, axe_check, heading: str, *, error: bool = False, title: str | None = None):
    """The page has this h1 and title (with the GOV.UK 'Error: ' prefix when asked), and axe finds nothing."""
    expect(page.locator("h1")).to_have_text(heading)
    expect(page).to_have_title(f"{'Error: ' if error else ''}{title or heading} – {SERVICE}")
    if error:
        expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)


def confirm_its_me_if_asked(page, axe_check, password: str = PASSWORD):
    """allauth asks for the password again before two-factor settings change (unless the sign-in was just now)."""
    if page.locator("h1").inner_text() == "Confirm it's you":
        on_page(page, axe_check, "Confirm it's you")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Continue").click()


def sign_in(page, axe_check, base_url: str, email: str, password: str = PASSWORD):
    page.goto(base_url + reverse("account_login"))
    on_page(page, axe_check, "Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, axe_check):
    page.get_by_role("link", name="Sign out").click()
    on_page(page, axe_check, "Sign out")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    axe_check(page)


def test_create_account_confirm_email_set_up_two_factor_sign_out_and_in_again(live_server, page, axe_check):
    email = "new.head@school.example.org"
    base = live_server.url

    # Create an account
    page.goto(base + reverse("account_login"))
    on_page(page, axe_check, "Sign in")
    page.get_by_role("link", name="Create an account").click()
    on_page(page, axe_check, "Create an account")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill("not the same password")
    page.get_by_role("button", name="Create account").click()
    on_page(page, axe_check, "Create an account", error=True)
    page.locator(".govuk-error-summary a").first.click()  # the summary links to the field
    expect(page.locator("#id_password2")).to_be_focused()
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Check your email, then follow the link
    on_page(page, axe_check, "Check your email")
    message = wait_for_email(email, subject_contains="Confirm your email address")
    page.goto(link_in(message))
    on_page(page, axe_check, "Confirm your email address")
    expect(page.locator("main")).to_contain_text(email)
    page.get_by_role("button", name="Confirm email address").click()
    on_page(page, axe_check, "Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your email address has been confirmed.")
    assert EmailAddress.objects.get(email=email).verified

    # Sign in, then set up two-factor authentication
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    axe_check(page)
    page.goto(base + reverse("mfa_activate_totp"))
    confirm_its_me_if_asked(page, axe_check)
    on_page(page, axe_check, "Set up two-factor authentication")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    shown = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown), shown  # in groups of 4, easier to type
    secret = shown.replace(" ", "")

    page.get_by_label("Enter the 6-digit code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    on_page(page, axe_check, "Set up two-factor authentication", error=True)
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#id_code")
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret  # same key while setting up

    used: set[str] = set()
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(secret, used))
    page.get_by_role("button", name="Continue").click()

    # Recovery codes
    on_page(page, axe_check, "Your recovery codes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-factor authentication is now on.")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.get_by_role("button", name="Continue").click()
    axe_check(page)
    page.goto(base + reverse("mfa_index"))
    on_page(page, axe_check, "Two-factor authentication")
    expect(page.locator(".govuk-summary-list")).to_contain_text("On")

    # Sign out, then in again with the password and a code from the app
    sign_out(page, axe_check)
    sign_in(page, axe_check, base, email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill("123456" if "123456" not in used else "654321")
    page.get_by_role("button", name="Continue").click()
    on_page(page, axe_check, "Check your authenticator app", error=True)
    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(secret, used))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    axe_check(page)
    user = get_user_model().objects.get(email=email)
    assert page.context.cookies()  # a session
    assert user.email == email

    # A recovery code works once instead of the app
    sign_out(page, axe_check)
    sign_in(page, axe_check, base, email)
    on_page(page, axe_check, "Check your authenticator app")
    page.get_by_label("Enter the 6-digit code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_wrong_password_shows_the_error_summary(live_server, page, axe_check):
    get_user_model().objects.create_user(email="someone@school.example.org", password=PASSWORD)
    EmailAddress.objects.create(
        user=get_user_model().objects.get(), email="someone@school.example.org", primary=True, verified=True
    )
    sign_in(page, axe_check, live_server.url, "someone@school.example.org", "not-the-right-password")
    on_page(page, axe_check, "Sign in", error=True)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    summary.locator("a").first.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value("someone@school.example.org")
    expect(page.get_by_label("Password")).to_have_value("")

    # nothing entered at all: one entry per field
    page.get_by_label("Email address").fill("")
    page.get_by_role("button", name="Sign in").click()
    on_page(page, axe_check, "Sign in", error=True)
    expect(page.locator(".govuk-error-summary li")).to_have_count(2)
    expect(page.locator("#id_login-error")).to_be_visible()
    expect(page.locator("#id_password-error")).to_be_visible()


def test_forgotten_password(live_server, page, axe_check):
    email = "forgetful@school.example.org"
    user = get_user_model().objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    base = live_server.url

    page.goto(base + reverse("account_login"))
    on_page(page, axe_check, "Sign in")
    page.get_by_role("link", name="Forgotten your password?").click()
    on_page(page, axe_check, "Reset your password")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send reset link").click()
    on_page(page, axe_check, "Reset your password", error=True)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    on_page(page, axe_check, "Check your email")

    message = wait_for_email(email, subject_contains="Reset your password")
    page.goto(link_in(message))
    on_page(page, axe_check, "Create a new password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Save new password").click()
    on_page(page, axe_check, "Create a new password", error=True)
    page.get_by_label("New password", exact=True).fill("a-brand-new-password")
    page.get_by_label("Confirm new password").fill("a-brand-new-password")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator("h1")).to_have_text("Your password has been changed")
    axe_check(page)

    # the link works once
    page.goto(link_in(message))
    on_page(page, axe_check, "This link cannot be used")

    sign_in(page, axe_check, base, email, "a-brand-new-password")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    axe_check(page)


def test_two_factor_set_up_as_a_person_does_it(live_server, page, axe_check):
    """Issue 15: a person whose role requires two-factor loads set-up, lets the page settle (the browser asks for the
    icon meanwhile), reloads it once, then types a code from the key they saw first: it is accepted."""
    from tests.accounts.factories import PoliceRoleFactory

    officer = PoliceRoleFactory().user  # police officers must use two-factor
    officer.set_password(PASSWORD)
    officer.save()
    EmailAddress.objects.create(user=officer, email=officer.email, primary=True, verified=True)
    base = live_server.url
    requests: list[tuple[str, str]] = []
    page.on("requestfinished", lambda request: requests.append((request.url, request.resource_type)))
    responses: dict[str, int] = {}
    page.on("response", lambda response: responses.__setitem__(response.url, response.status))

    sign_in(page, axe_check, base, officer.email)
    # Straight to set-up, without being asked for the password again.
    on_page(page, axe_check, "Set up two-factor authentication")
    page.wait_for_load_state("networkidle")
    first_secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    # The browser fetches the service's icon by itself (and the linked one): both answer, neither disturbs set-up.
    icon_urls = [url for url, _kind in requests if "favicon" in url]
    assert icon_urls, requests
    assert all(responses.get(url) == 200 for url in icon_urls), {url: responses.get(url) for url in icon_urls}
    page.goto(base + "/robots.txt")  # whatever else is asked for meanwhile
    page.goto(base + "/favicon.ico")
    page.go_back()
    page.go_back()
    page.reload()
    page.wait_for_load_state("networkidle")
    on_page(page, axe_check, "Set up two-factor authentication")
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == first_secret

    page.get_by_label("Enter the 6-digit code").fill(fresh_totp(first_secret, set()))
    page.get_by_role("button", name="Continue").click()
    on_page(page, axe_check, "Your recovery codes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-factor authentication is now on.")
    page.get_by_role("button", name="Continue").click()
    page.goto(base + reverse("identity:account"))
    expect(page.locator("h1")).to_have_text("My account")
