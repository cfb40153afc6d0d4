"""Account-existence timing (issue 17, finding 3): signing up with a registered email and with a new one do the same
work, so the response time says nothing about whether the account exists.

The test settings use a fast hasher, so a stopwatch here would prove nothing: these tests check the structure (one
password hash on both paths, one email queued after commit on both paths, none sent inside the request).
`bench/bench_signup_timing.py` measures the time with the production hasher.
"""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.test_identity_support import verified_user

pytestmark = pytest.mark.django_db

SERVICE = "London Schools Safety Portal"
PASSWORD = "a-Very-long-passphrase-42"


def sign_up(email: str, capture):
    """POST the sign-up form; return the response, the password hashes made and the after-commit callbacks."""
    hasher = type(get_hasher("default"))
    with (
        mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode,
        capture(execute=False) as callbacks,
    ):
        response = Client().post(
            reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
    return response, encode, callbacks


def queued_templates(callbacks) -> list[tuple[str, list[str]]]:
    return [
        (callback.keywords["template"], callback.keywords["to"])
        for callback in callbacks
        if getattr(callback, "keywords", None) and "template" in callback.keywords
    ]


@pytest.fixture
def existing():
    return verified_user(email="taken@example.org")


def test_both_paths_hash_the_submitted_password_once(existing, django_capture_on_commit_callbacks):
    _, taken_hashes, _ = sign_up(existing.email, django_capture_on_commit_callbacks)
    _, new_hashes, _ = sign_up("brand-new@example.org", django_capture_on_commit_callbacks)
    assert taken_hashes.call_count == new_hashes.call_count == 1
    # The same work: the submitted password, hashed by the same (default) hasher with a fresh salt.
    assert taken_hashes.call_args.args[1] == new_hashes.call_args.args[1] == PASSWORD
    assert get_user_model().objects.filter(email=existing.email).count() == 1
    assert not get_user_model().objects.get(email=existing.email).check_password(PASSWORD)  # nothing changed


def test_both_paths_queue_one_email_after_commit_and_send_none_in_the_request(
    existing, django_capture_on_commit_callbacks
):
    taken, _, taken_callbacks = sign_up(existing.email, django_capture_on_commit_callbacks)
    new, _, new_callbacks = sign_up("brand-new@example.org", django_capture_on_commit_callbacks)
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == reverse("account_email_verification_sent")
    assert mail.outbox == []  # nothing goes out while the person waits for the answer
    assert queued_templates(taken_callbacks) == [("identity_account_email", [existing.email])]
    assert queued_templates(new_callbacks) == [("identity_account_email", ["brand-new@example.org"])]


def test_the_queued_emails_are_allauths_own(existing, django_capture_on_commit_callbacks):
    for email in (existing.email, "brand-new@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    already, confirm = mail.outbox
    assert (already.to, already.subject) == ([existing.email], f"[{SERVICE}] You already have an account")
    assert "/account/password/reset/" in already.body
    assert (confirm.to, confirm.subject) == (["brand-new@example.org"], f"[{SERVICE}] Confirm your email address")
    assert "/account/confirm-email/" in confirm.body
    html = {mime: content for content, mime in confirm.alternatives}["text/html"]
    assert "/account/confirm-email/" in html and "<a href=" in html


def test_every_allauth_email_goes_through_the_queue(django_capture_on_commit_callbacks):
    """Password reset (known and unknown address) too: the class, not only sign-up."""
    known = verified_user(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Client().post(reverse("account_reset_password"), {"email": known.email})
        Client().post(reverse("account_reset_password"), {"email": "unknown@example.org"})
    assert mail.outbox == []
    assert [to for _, to in queued_templates(callbacks)] == [[known.email], ["unknown@example.org"]]
