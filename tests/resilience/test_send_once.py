"""Every email task sends once: run again (taken back from a worker stopped after the send), it does not send twice.
Both sending paths: core's email_deliver and the VRU updates' vru_email_deliver."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from core import tasks
from core.models import SentEmail
from public import services as public_services
from public.models import Topic, UpdateMessage
from tests.public.factories import SubscriberFactory, defaults

pytestmark = pytest.mark.django_db


def as_task(task_id: str, function, **kwargs):
    """Run `function` as the worker runs task `task_id` (the task_started signal sets the id)."""
    token = tasks._current_task_id.set(task_id)
    try:
        return function(**kwargs)
    finally:
        tasks._current_task_id.reset(token)


def test_send_once_sends_records_and_then_refuses_a_second_send():
    message = EmailMessage(subject="s", body="b", to=["head@school.example"])
    assert as_task("task-1", tasks.send_once, message=message, template="t") is True
    again = EmailMessage(subject="s", body="b", to=["head@school.example"])
    assert as_task("task-1", tasks.send_once, message=again, template="t") is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith("<task-1.")
    assert SentEmail.objects.get(task_id="task-1").recipients == 1
    # Another task: its own email.
    assert as_task("task-2", tasks.send_once, message=again, template="t") is True
    assert len(mail.outbox) == 2


def test_outside_a_task_it_just_sends():
    tasks.send_once(EmailMessage(subject="s", body="b", to=["a@example.org"]), template="t")
    tasks.send_once(EmailMessage(subject="s", body="b", to=["a@example.org"]), template="t")
    assert len(mail.outbox) == 2
    assert not SentEmail.objects.exists()


def test_a_vru_email_task_run_twice_sends_once():
    defaults()
    subscriber = SubscriberFactory()
    arguments = {
        "subscriber_id": subscriber.pk,
        "template": "public/signup_confirm",
        "context": {"confirm_url": "https://portal.example.org/updates/confirm/x", "topics": ["Knife wands"]},
        "purpose": "confirmation",
    }
    assert as_task("vru-task", public_services.vru_email_deliver_now, **arguments) is True
    assert as_task("vru-task", public_services.vru_email_deliver_now, **arguments) is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [subscriber.email]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_a_task_that_sends_several_emails_sends_each_once_and_a_retry_sends_none_again():
    """An update fans out to every subscriber in one task: each gets it once, and the task run again (taken back
    from a killed worker part-way) sends only to those not reached."""
    defaults()
    topic = Topic.objects.order_by("order").first()
    readers = [SubscriberFactory(confirmed=True) for _ in range(3)]
    for reader in readers:
        reader.topics.add(topic)
    update = UpdateMessage.objects.create(topic=topic, subject="News", body="Line one")
    real_send = EmailMessage.send
    calls = []

    def send_then_die(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # after one email went, before the second
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", send_then_die), pytest.raises(SystemExit):
        as_task("fan-out", public_services.update_fan_out, message_id=update.pk)
    assert len(mail.outbox) == 1
    as_task("fan-out", public_services.update_fan_out, message_id=update.pk)  # taken back, run again
    assert sorted(message.to[0] for message in mail.outbox) == sorted(reader.email for reader in readers)
    as_task("fan-out", public_services.update_fan_out, message_id=update.pk)  # and again: nothing more
    assert len(mail.outbox) == 3
