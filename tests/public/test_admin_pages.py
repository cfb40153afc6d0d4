"""Programme admins: counts per topic, the consent records export, sending an update. Nobody else."""

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from public import services
from public.models import ConsentRecord, ConsentStatement, Subscriber, Topic, UpdateMessage
from tests.accounts.factories import headteacher_of, with_two_factor

from .factories import ConsentRecordFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def subscribers(topics):
    wands, officers = topics[0], topics[1]
    for _ in range(3):
        SubscriberFactory(confirmed=True, topics=[wands, officers])
    SubscriberFactory(confirmed=True, topics=[wands])
    SubscriberFactory(topics=[wands])  # pending: its topics are not counted as confirmed
    SubscriberFactory(unsubscribed=True)
    return {"wands": wands, "officers": officers}


class TestCounts:
    def test_counts_per_topic_and_status(self, admin_client, subscribers):
        response = admin_client.get(reverse("public:updates_admin"))
        assert response.status_code == 200
        topics = {row["slug"]: row for row in response.context["topics"]}
        assert topics["knife-wands"]["confirmed"] == 4 and topics["knife-wands"]["pending"] == 1
        assert topics["safer-schools-officers"]["confirmed"] == 3
        assert topics["toolkit"]["confirmed"] == 0
        assert response.context["statuses"] == {"pending": 1, "confirmed": 4, "unsubscribed": 1}

    def test_query_count_constant(self, admin_client, subscribers, topics, django_assert_max_num_queries):
        admin_client.get(reverse("public:updates_admin"))
        with django_assert_max_num_queries(16) as first:
            admin_client.get(reverse("public:updates_admin"))
        for _ in range(20):
            SubscriberFactory(confirmed=True, topics=topics[:3])
        with django_assert_max_num_queries(len(first.captured_queries)):
            admin_client.get(reverse("public:updates_admin"))


class TestExport:
    def test_consent_records_with_text_version_and_times(self, admin_client, statement, topics):
        record = ConsentRecordFactory(subscriber=SubscriberFactory(email="=cmd@example.org"), topics=topics[:2])
        services.consent_statement_publish(text="Second wording.")
        response = admin_client.get(reverse("public:updates_export"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = _csv(response)
        assert len(rows) == 1
        row = rows[0]
        assert row["Consent record"] == str(record.pk)
        assert row["Email address"] == "'=cmd@example.org"  # formula-safe
        assert row["Statement version"] == str(statement.version)
        assert row["Statement text"] == statement.text
        assert row["Topics"] == "Knife wands for schools; Safer Schools Officers"
        assert row["Given at"] and row["Confirmed at"] == "" and row["Withdrawn at"] == ""
        assert AuditEvent.objects.filter(verb="vru_consents.exported").exists()

    def test_query_count_constant(self, admin_client, statement, topics, django_assert_max_num_queries):
        for _ in range(3):
            ConsentRecordFactory(topics=topics[:2])
        with django_assert_max_num_queries(14) as first:
            _csv(admin_client.get(reverse("public:updates_export")))
        for _ in range(20):
            ConsentRecordFactory(topics=topics[:3])
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert len(_csv(admin_client.get(reverse("public:updates_export")))) == 23


class TestSendUpdate:
    def test_goes_to_confirmed_subscribers_of_the_topic_only(self, admin_client, subscribers, commit):
        with commit():
            response = admin_client.post(
                reverse("public:updates_send"),
                {"topic": subscribers["officers"].pk, "subject": "Officer news", "body": "Line one\n\nLine two"},
            )
        assert response.status_code == 302
        assert len(mail.outbox) == 3
        for message in mail.outbox:
            assert message.subject == "Officer news"
            assert "/updates/unsubscribe/" in message.body
            assert "List-Unsubscribe" in message.extra_headers
            html = message.alternatives[0][0]
            assert "/updates/unsubscribe/" in html
        assert len({tuple(message.to) for message in mail.outbox}) == 3  # one email each: their own link
        message = UpdateMessage.objects.get()
        assert message.recipients == 3
        assert AuditEvent.objects.filter(verb="vru_update.sent").exists()

    def test_empty_form_shows_errors_and_sends_nothing(self, admin_client, subscribers, commit):
        with commit():
            response = admin_client.post(reverse("public:updates_send"), {})
        assert response.status_code == 400
        html = response.content.decode()
        assert "govuk-error-summary" in html and "Select a topic" in html and "Enter a subject" in html
        assert not UpdateMessage.objects.exists() and not mail.outbox

    def test_the_service_refuses_anyone_but_a_programme_admin(self, subscribers, school_head):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.update_send(actor=school_head, topic_id=subscribers["wands"].pk, subject="x", body="y")
        assert not UpdateMessage.objects.exists()


@pytest.fixture
def school_head(db):
    return with_two_factor(headteacher_of())


class TestPermissions:
    @pytest.mark.parametrize("name", ["public:updates_admin", "public:updates_export", "public:updates_send"])
    def test_others_get_403_and_anonymous_sign_in(self, name, school_head, statement):
        anonymous = Client().get(reverse(name))
        assert anonymous.status_code == 302
        client = Client()
        client.force_login(school_head)
        assert client.get(reverse(name)).status_code == 403

    def test_a_headteacher_cannot_post_an_update(self, school_head, statement, commit):
        client = Client()
        client.force_login(school_head)
        topic = Topic.objects.first()
        with commit():
            response = client.post(reverse("public:updates_send"), {"topic": topic.pk, "subject": "x", "body": "y"})
        assert response.status_code == 403
        assert not UpdateMessage.objects.exists()

    def test_nothing_personal_in_the_audit_of_the_sign_up(self, client, statement, commit):
        with commit():
            client.post(
                reverse("public:signup"),
                {"email": "who@example.org", "topics": ["toolkit"], "consent": "on", "statement_version": 1},
            )
        assert ConsentRecord.objects.exists() and Subscriber.objects.exists()
        for event in AuditEvent.objects.all():
            assert "who@" not in f"{event.target_label} {event.data} {event.reason} {event.actor_label}"


class TestConsentStatementVersions:
    def test_admin_publishes_a_new_version_and_the_old_one_stays(self, admin_client, statement, client):
        url = reverse("public:consent_statement_new")
        page = admin_client.get(url)
        assert page.status_code == 200 and f"version {statement.version}" in page.content.decode()
        response = admin_client.post(url, {"text": "We will email you the updates you chose. Unsubscribe any time."})
        assert response.status_code == 302
        versions = list(ConsentStatement.objects.order_by("version").values_list("version", "text"))
        assert versions == [
            (statement.version, statement.text),
            (statement.version + 1, "We will email you the updates you chose. Unsubscribe any time."),
        ]
        assert AuditEvent.objects.filter(verb="consent_statement.published").exists()
        signup = client.get(reverse("public:signup")).content.decode()
        assert "We will email you the updates you chose." in signup

    @pytest.mark.parametrize(
        ("text", "message"),
        [("", "Enter the new wording"), (None, "This is the wording of the current version")],
    )
    def test_empty_or_unchanged_wording_is_refused(self, admin_client, statement, text, message):
        text = statement.text if text is None else text
        response = admin_client.post(reverse("public:consent_statement_new"), {"text": text})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert ConsentStatement.objects.count() == 1

    def test_only_programme_admins(self, school_head, statement):
        from django.core.exceptions import PermissionDenied

        client = Client()
        client.force_login(school_head)
        assert client.post(reverse("public:consent_statement_new"), {"text": "Mine"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.consent_statement_publish(text="Mine", actor=school_head)
        assert ConsentStatement.objects.count() == 1
