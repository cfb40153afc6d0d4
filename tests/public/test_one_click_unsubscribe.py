"""RFC 8058 one-click unsubscribe: the List-Unsubscribe address a mail client POSTs to with no cookie or CSRF token.

It is the portal's one CSRF-exempt view, so these tests pin down that it can do nothing but unsubscribe the address
its signed token names, and only for the exact one-click body.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from public import services
from public.models import ConsentRecord, Subscriber

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("public:unsubscribe_one_click", kwargs={"token": token})


def _one_click(token: str, body: str = "List-Unsubscribe=One-Click"):
    client = Client(enforce_csrf_checks=True)  # as a mail client: no cookie, no CSRF token
    return client.post(_url(token), data=body, content_type="application/x-www-form-urlencoded")


def test_the_mail_client_post_unsubscribes_without_a_csrf_token():
    subscriber = SubscriberFactory(confirmed=True)
    response = _one_click(services.unsubscribe_token_for(subscriber.pk))
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not ConsentRecord.objects.filter(subscriber=subscriber, withdrawn_at__isnull=True).exists()
    # A repeat (clients retry) is harmless.
    assert _one_click(services.unsubscribe_token_for(subscriber.pk)).status_code == 200


def test_any_other_body_changes_nothing():
    subscriber = SubscriberFactory(confirmed=True)
    token = services.unsubscribe_token_for(subscriber.pk)
    for body in ("", "List-Unsubscribe=Yes", "status=confirmed"):
        assert _one_click(token, body).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_forged_or_changed_token_changes_nothing():
    subscriber = SubscriberFactory(confirmed=True)
    token = services.unsubscribe_token_for(subscriber.pk)
    other = SubscriberFactory(confirmed=True)
    for forged in ("1:bad", token[:-2] + "xx", f"{other.pk}:{token.split(':', 1)[1]}"):
        assert _one_click(forged).status_code == 400
    assert Subscriber.objects.filter(status=Subscriber.Status.UNSUBSCRIBED).count() == 0


def test_a_get_from_a_mail_scanner_only_shows_the_button():
    subscriber = SubscriberFactory(confirmed=True)
    page = Client().get(_url(services.unsubscribe_token_for(subscriber.pk)))
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_every_update_names_the_one_click_address(settings):
    subscriber = SubscriberFactory(confirmed=True)
    sent = services.vru_email_deliver_now(
        subscriber_id=subscriber.pk,
        template="public/update",
        context={"subject": "News", "body": "Hello", "topic": "Knife wands"},
        purpose="update",
    )
    assert sent is True
    headers = mail.outbox[-1].extra_headers
    token = services.unsubscribe_token_for(subscriber.pk)
    assert headers["List-Unsubscribe"] == f"<{settings.SITE_URL.rstrip('/')}{_url(token)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
