"""The VRU updates sign-up: consent recorded with its text version, double opt-in, no enumeration, rate limit,
unsubscribe honoured by every sending path."""

import io
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.models import AuditEvent
from public import services
from public.models import ConsentRecord, ConsentStatement, Subscriber

from .factories import ConsentRecordFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/updates/(confirm|unsubscribe)/(\S+)")


def sign_up(client, email="reader@example.org", topics=("knife-wands",), version=None, ip="203.0.113.5", **extra):
    version = version or ConsentStatement.objects.order_by("-version").first().version
    return client.post(
        reverse("public:signup"),
        {"email": email, "topics": list(topics), "consent": "on", "statement_version": version, **extra},
        REMOTE_ADDR=ip,
    )


def links(message, kind):
    return [token for found_kind, token in LINK.findall(message.body) if found_kind == kind]


class TestSignupForm:
    def test_page_shows_the_consent_statement_and_its_version(self, client, statement, topics):
        response = client.get(reverse("public:signup"))
        html = response.content.decode()
        assert response.status_code == 200
        assert escape(statement.text) in html
        assert f'value="{statement.version}"' in html
        assert "Knife wands for schools" in html

    def test_nothing_filled_in_gives_the_error_summary_and_writes_nothing(self, client, statement):
        response = client.post(reverse("public:signup"), {"statement_version": statement.version})
        html = response.content.decode()
        assert response.status_code == 400
        assert "govuk-error-summary" in html
        for message in ("Enter your email address", "Select at least one topic", "Agree to the statement"):
            assert message in html
        assert not Subscriber.objects.exists()
        assert not mail.outbox

    def test_bad_address_is_refused(self, client, statement):
        response = sign_up(client, email="not-an-address")
        assert response.status_code == 400
        assert "Enter an email address in the correct format" in response.content.decode()
        assert not Subscriber.objects.exists()

    def test_unknown_topic_is_refused(self, client, statement):
        response = sign_up(client, topics=["no-such-topic"])
        assert response.status_code == 400
        assert not ConsentRecord.objects.exists()

    def test_a_stale_statement_version_is_refused_with_a_clear_message(self, client, statement):
        services.consent_statement_publish(text="New wording of the consent statement.")
        response = sign_up(client, version=statement.version)
        assert response.status_code == 400
        assert "The consent statement has changed" in response.content.decode()
        assert not ConsentRecord.objects.exists()


class TestConsentRecord:
    def test_sign_up_keeps_the_statement_version_topics_and_time(self, client, statement, commit):
        with commit():
            response = sign_up(client, topics=["knife-wands", "toolkit"])
        assert response.status_code == 302
        assert response.url == reverse("public:signup_sent")
        record = ConsentRecord.objects.get()
        assert record.statement == statement
        assert record.statement.text == statement.text
        assert sorted(record.topics.values_list("slug", flat=True)) == ["knife-wands", "toolkit"]
        assert record.given_at is not None and record.confirmed_at is None
        assert record.subscriber.email == "reader@example.org"
        assert record.subscriber.status == Subscriber.Status.PENDING

    def test_a_new_wording_is_a_new_version_and_old_records_keep_their_text(self, client, statement, commit):
        with commit():
            sign_up(client)
        old_text = statement.text
        new = services.consent_statement_publish(text="Version two of the statement.")
        assert new.version == statement.version + 1
        with commit():
            sign_up(client, email="second@example.org")
        first, second = ConsentRecord.objects.order_by("pk")
        assert first.statement.version == statement.version and first.statement.text == old_text
        assert second.statement.version == new.version and second.statement.text == "Version two of the statement."
        assert ConsentStatement.objects.count() == 2


class TestDoubleOptIn:
    def test_only_the_confirmation_goes_before_confirming(self, client, statement, commit):
        with commit():
            sign_up(client)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["reader@example.org"]
        assert "Confirm" in message.subject
        assert links(message, "confirm") and links(message, "unsubscribe")
        assert message.extra_headers["List-Unsubscribe"].startswith("<http")
        # An update to the topic now reaches nobody: the address has not confirmed.
        admin_user = _admin()
        with commit():
            services.update_send(actor=admin_user, topic_id=_topic("knife-wands").pk, subject="News", body="Hello")
        assert len(mail.outbox) == 1

    def test_confirming_through_the_link(self, client, statement, commit):
        with commit():
            sign_up(client, topics=["knife-wands", "toolkit"])
        token = links(mail.outbox[0], "confirm")[0]
        page = client.get(reverse("public:signup_confirm", kwargs={"token": token}))
        assert page.status_code == 200 and "Confirm sign-up" in page.content.decode()
        assert Subscriber.objects.get().status == Subscriber.Status.PENDING  # a GET (link checkers) confirms nothing
        response = client.post(reverse("public:signup_confirm", kwargs={"token": token}))
        assert response.status_code == 200
        assert "You are signed up" in response.content.decode()
        subscriber = Subscriber.objects.get()
        assert subscriber.status == Subscriber.Status.CONFIRMED
        assert sorted(subscriber.topics.values_list("slug", flat=True)) == ["knife-wands", "toolkit"]
        assert ConsentRecord.objects.get().confirmed_at is not None
        assert AuditEvent.objects.filter(verb="vru_subscriber.confirmed", from_state="pending").exists()
        # Confirming again changes nothing and is not an error.
        assert client.post(reverse("public:signup_confirm", kwargs={"token": token})).status_code == 200

    def test_an_expired_link_is_refused_clearly(self, client, statement, commit):
        with commit():
            sign_up(client)
        token = links(mail.outbox[0], "confirm")[0]
        later = services.CONFIRM_MAX_AGE.total_seconds() + 60
        with mock.patch("django.core.signing.time.time", return_value=time.time() + later):
            response = client.post(reverse("public:signup_confirm", kwargs={"token": token}))
        assert response.status_code == 400
        assert "This link has expired" in response.content.decode()
        assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    @pytest.mark.parametrize("change", ["tamper", "other_salt", "garbage"])
    def test_a_tampered_link_is_refused_clearly(self, client, statement, commit, change):
        with commit():
            sign_up(client)
        token = links(mail.outbox[0], "confirm")[0]
        record = ConsentRecord.objects.get()
        if change == "tamper":
            token = signing.TimestampSigner(salt=services.CONFIRM_SALT).sign_object({"c": record.pk})[:-2] + "xx"
        elif change == "other_salt":
            token = signing.TimestampSigner(salt=services.UNSUBSCRIBE_SALT).sign_object({"c": record.pk})
        else:
            token = "not-a-token"
        response = client.post(reverse("public:signup_confirm", kwargs={"token": token}))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
        assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    def test_an_unsubscribe_token_cannot_confirm(self, client, statement, commit):
        with commit():
            sign_up(client)
        token = links(mail.outbox[0], "unsubscribe")[0]
        response = client.post(reverse("public:signup_confirm", kwargs={"token": token}))
        assert response.status_code == 400
        assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def _topic(slug):
    from public.models import Topic

    return Topic.objects.get(slug=slug)


def _admin():
    from tests.accounts.factories import programme_admin

    return programme_admin()


def _visible(response):
    """What the person (or someone probing) sees: status, where it sends them, the page they land on."""
    return response.status_code, response.get("Location")


class TestNoEnumeration:
    def test_new_pending_confirmed_and_unsubscribed_addresses_get_the_same_answer(self, statement, commit):
        SubscriberFactory(email="pending@example.org")
        SubscriberFactory(email="confirmed@example.org", confirmed=True)
        SubscriberFactory(email="gone@example.org", unsubscribed=True)
        answers = {}
        for email in ("new@example.org", "pending@example.org", "confirmed@example.org", "gone@example.org"):
            client = Client()
            with commit():
                response = sign_up(client, email=email, ip=f"198.51.100.{len(answers) + 1}")
            landing = client.get(response["Location"])
            page = re.sub(r'nonce="[^"]*"', "", landing.content.decode())  # a fresh CSP nonce on every page
            answers[email] = (_visible(response), landing.status_code, page)
        assert len(set(answers.values())) == 1, "the sign-up tells addresses apart"
        # Case and spaces do not make a second subscriber.
        with commit():
            sign_up(Client(), email="  Confirmed@Example.org ", ip="198.51.100.77")
        assert Subscriber.objects.filter(email="confirmed@example.org").count() == 1

    def test_the_unsubscribed_address_alone_gets_no_email(self, statement, commit):
        SubscriberFactory(email="gone@example.org", unsubscribed=True)
        with commit():
            sign_up(Client(), email="gone@example.org")
        assert mail.outbox == []
        assert not ConsentRecord.objects.filter(subscriber__email="gone@example.org").exists()

    def test_a_confirmed_address_signing_up_again_must_confirm_new_topics(self, statement, commit):
        subscriber = SubscriberFactory(email="confirmed@example.org", confirmed=True, topics=[_topic("knife-wands")])
        with commit():
            sign_up(Client(), email="confirmed@example.org", topics=["toolkit"])
        assert len(mail.outbox) == 1  # a confirmation, as for a new address
        assert list(subscriber.topics.values_list("slug", flat=True)) == ["knife-wands"]  # unchanged until confirmed
        token = links(mail.outbox[0], "confirm")[0]
        Client().post(reverse("public:signup_confirm", kwargs={"token": token}))
        assert list(subscriber.topics.values_list("slug", flat=True)) == ["toolkit"]


class TestRateLimit:
    def test_per_address(self, statement, commit, settings):
        for attempt in range(services.SIGNUP_LIMIT_PER_ADDRESS):
            with commit():
                assert sign_up(Client(), ip=f"198.51.100.{attempt + 1}").status_code == 302
        with commit():
            response = sign_up(Client(), ip="198.51.100.99")
        assert response.status_code == 429
        assert "You have tried to sign up too many times" in response.content.decode()
        assert "govuk-error-summary" in response.content.decode()
        # The same sign-up repeated is one consent and one email (TestBackAndSubmitAgain); the limit still holds.
        assert ConsentRecord.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_per_client_address(self, statement, commit):
        for attempt in range(services.SIGNUP_LIMIT_PER_IP):
            assert sign_up(Client(), email=f"reader{attempt}@example.org").status_code == 302
        response = sign_up(Client(), email="one-more@example.org")
        assert response.status_code == 429
        assert not Subscriber.objects.filter(email="one-more@example.org").exists()
        # Another place is not limited.
        assert sign_up(Client(), email="one-more@example.org", ip="192.0.2.44").status_code == 302

    def test_the_cache_holds_no_address(self, statement):
        from django.core.cache import cache

        sign_up(Client(), email="private@example.org")
        keys = list(cache._cache.keys())  # locmem in tests
        assert keys and not any("private" in key for key in keys)


class TestUnsubscribe:
    def _confirmed(self, client, commit, topics=("knife-wands",)):
        with commit():
            sign_up(client, topics=topics)
        token = links(mail.outbox[-1], "confirm")[0]
        client.post(reverse("public:signup_confirm", kwargs={"token": token}))
        return Subscriber.objects.get(email="reader@example.org")

    def test_the_link_works_without_sign_in_and_withdraws_consent(self, client, statement, commit):
        subscriber = self._confirmed(client, commit)
        with commit():
            services.update_send(actor=_admin(), topic_id=_topic("knife-wands").pk, subject="News", body="Hello")
        update = mail.outbox[-1]
        assert update.subject == "News"
        assert update.extra_headers["List-Unsubscribe"] == f"<{LINK.search(update.body).group(0)}/one-click>"
        assert update.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = links(update, "unsubscribe")[0]
        anonymous = Client()
        page = anonymous.get(reverse("public:unsubscribe", kwargs={"token": token}))
        assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
        response = anonymous.post(reverse("public:unsubscribe", kwargs={"token": token}))
        assert response.status_code == 200 and "You have unsubscribed" in response.content.decode()
        subscriber.refresh_from_db()
        assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
        assert subscriber.topics.count() == 0
        assert ConsentRecord.objects.get().withdrawn_at is not None
        assert AuditEvent.objects.filter(verb="vru_subscriber.unsubscribed", to_state="unsubscribed").exists()
        # Again: still fine.
        assert anonymous.post(reverse("public:unsubscribe", kwargs={"token": token})).status_code == 200

    def test_a_tampered_unsubscribe_link_is_refused(self, client, statement):
        response = client.post(reverse("public:unsubscribe", kwargs={"token": "1:bad"}))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()

    def test_every_sending_path_honours_it(self, client, statement, commit):
        subscriber = self._confirmed(client, commit, topics=("knife-wands", "toolkit"))
        token = services.unsubscribe_token_for(subscriber.pk)
        client.post(reverse("public:unsubscribe", kwargs={"token": token}))
        sent_before = len(mail.outbox)
        admin_user = _admin()
        # 1. An update to a topic they had chosen.
        with commit():
            services.update_send(actor=admin_user, topic_id=_topic("knife-wands").pk, subject="News", body="Hi")
        # 2. Signing up again (the confirmation email).
        with commit():
            sign_up(Client(), ip="192.0.2.9")
        # 3. A direct send through the gate, for any purpose.
        for purpose in ("confirmation", "update"):
            with commit():
                services.vru_email_send(
                    subscriber_id=subscriber.pk,
                    template="public/update",
                    context={"subject": "x", "body": "y", "topic": "z"},
                    purpose=purpose,
                )
        # 4. The worker itself, asked directly.
        assert not services.vru_email_deliver_now(
            subscriber_id=subscriber.pk,
            template="public/update",
            context={"subject": "x", "body": "y", "topic": "z"},
            purpose="confirmation",
        )
        # 5. An old confirmation link does not bring the address back.
        old_confirm = services.confirm_token_for(ConsentRecord.objects.filter(subscriber=subscriber).first())
        assert Client().post(reverse("public:signup_confirm", kwargs={"token": old_confirm})).status_code == 400
        assert len(mail.outbox) == sent_before
        subscriber.refresh_from_db()
        assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    def test_unsubscribing_after_an_update_was_scheduled_stops_it(
        self, client, statement, django_capture_on_commit_callbacks
    ):
        subscriber = self._confirmed(client, lambda: django_capture_on_commit_callbacks(execute=True))
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.update_send(actor=_admin(), topic_id=_topic("knife-wands").pk, subject="News", body="Hi")
        services.unsubscribe(token=services.unsubscribe_token_for(subscriber.pk))
        for callback in callbacks:
            callback()  # the worker picks the update up after the address unsubscribed
        assert len(mail.outbox) == sent_before

    def test_no_address_in_logs(self, client, statement, commit, caplog):
        caplog.set_level("DEBUG")
        with commit():
            sign_up(client, email="secret-person@example.org")
        assert "secret-person" not in caplog.text


class TestPurgeUnconfirmed:
    def test_only_stale_unconfirmed_sign_ups_and_their_lone_addresses_go(self, statement, topics):
        old = timezone.now() - timedelta(days=8)
        stale = ConsentRecordFactory(subscriber=SubscriberFactory(email="stale@example.org"))
        fresh = ConsentRecordFactory(subscriber=SubscriberFactory(email="fresh@example.org"))
        confirmed = SubscriberFactory(email="kept@example.org", confirmed=True)
        kept = ConsentRecordFactory(subscriber=confirmed, confirmed_at=old)
        retry = ConsentRecordFactory(subscriber=confirmed)  # a later topic change never confirmed
        gone = SubscriberFactory(email="gone@example.org", unsubscribed=True)
        withdrawn = ConsentRecordFactory(subscriber=gone, withdrawn_at=old)
        ConsentRecord.objects.filter(pk__in=[stale.pk, kept.pk, retry.pk, withdrawn.pk]).update(given_at=old)
        call_command("purge_unconfirmed_signups", stdout=io.StringIO())
        assert set(ConsentRecord.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk, withdrawn.pk}
        assert set(Subscriber.objects.values_list("email", flat=True)) == {
            "fresh@example.org",
            "kept@example.org",
            "gone@example.org",
        }
        assert services.address_is_suppressed("gone@example.org")


class TestBackAndSubmitAgain:
    """The issue: Back and submit again stored a second consent record and queued a second confirmation email."""

    def test_an_address_already_waiting_gets_the_same_page_and_nothing_new(self, client, statement, commit):
        with commit():
            first = sign_up(client, topics=["knife-wands", "toolkit"])
        assert len(mail.outbox) == 1 and ConsentRecord.objects.count() == 1
        with commit():
            again = sign_up(client, topics=["toolkit", "knife-wands"])  # the same answers, in another order
        assert _visible(again) == _visible(first)
        assert ConsentRecord.objects.count() == 1 and len(mail.outbox) == 1
        assert AuditEvent.objects.filter(verb="vru_signup.requested").count() == 1

    def test_other_topics_or_an_old_sign_up_are_a_new_consent(self, client, statement, commit):
        with commit():
            sign_up(client, topics=["knife-wands"])
        with commit():
            sign_up(client, topics=["toolkit"])
        assert ConsentRecord.objects.count() == 2 and len(mail.outbox) == 2
        ConsentRecord.objects.update(given_at=timezone.now() - services.CONFIRM_MAX_AGE - timedelta(hours=1))
        with commit():
            sign_up(client, topics=["toolkit"], ip="198.51.100.200")
        assert ConsentRecord.objects.count() == 3 and len(mail.outbox) == 3

    def test_sign_up_has_double_click_protection(self, client, statement):
        html = client.get(reverse("public:signup")).content.decode()
        assert 'data-prevent-double-click="true">Sign up</button>' in html
