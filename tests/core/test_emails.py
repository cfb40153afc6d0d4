"""Emails leave through a background task, after the commit, in plain text and HTML, without leaking personal data."""

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from core.emails import email_send
from core.logging import JsonFormatter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_test_templates")]

CONTEXT = {
    "school_name": "St Mary's & St John's <Primary>",
    "reference": "WR-0042",
    "quantity": 4,
    "url": "https://portal.example.org/wands/requests/42",
}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def send_notice(**overrides):
    arguments = {"to": ["head@school.example"], "template": "core_test_notice", "context": dict(CONTEXT)}
    arguments.update(overrides)
    email_send(**arguments)


def test_sent_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_notice()
        assert mail.outbox == []  # still inside the transaction
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head@school.example"]


def test_nothing_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                send_notice()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_subject_text_and_html_parts_are_rendered(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_notice(reply_to=["wands@vru.example"])
    message = mail.outbox[0]
    assert message.subject == "St Mary's & St John's <Primary>: your request WR-0042 was approved"
    assert message.reply_to == ["wands@vru.example"]
    # Plain text is not HTML-escaped.
    assert "The request WR-0042 for St Mary's & St John's <Primary> was approved: 4 wands." in message.body
    assert "London Schools Safety Portal" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert (
        "<title>St Mary&#x27;s &amp; St John&#x27;s &lt;Primary&gt;: your request WR-0042 was approved</title>" in html
    )
    assert "St Mary&#x27;s &amp; St John&#x27;s &lt;Primary&gt;" in html  # escaped in HTML
    assert "<Primary>" not in html
    assert 'href="https://portal.example.org/wands/requests/42"' in html
    assert "London Schools Safety Portal" in html


def test_subject_is_one_line(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_notice(context={**CONTEXT, "school_name": "Evil\r\nBcc: victim@example.org"})
    assert "\n" not in mail.outbox[0].subject
    assert "\r" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    "bad_value",
    [datetime.date(2026, 11, 25), object(), {1: "int key"}, float("nan"), {"nested": [b"bytes"]}, {"a", "set"}],
)
def test_context_that_is_not_json_is_refused_at_once(bad_value, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TypeError):
        send_notice(context={**CONTEXT, "extra": bad_value})
    assert callbacks == []
    assert mail.outbox == []


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError):
        send_notice(to="head@school.example")
    with pytest.raises(ValueError):
        send_notice(to=[])
    with pytest.raises(ValueError):
        send_notice(template="../secrets")
    with pytest.raises(TemplateDoesNotExist):
        send_notice(template="no_such_email")


def test_context_is_copied_when_scheduled(django_capture_on_commit_callbacks):
    context = dict(CONTEXT)
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to=["head@school.example"], template="core_test_notice", context=context)
        context["reference"] = "CHANGED"
    assert "WR-0042" in mail.outbox[0].subject


def test_logs_template_and_count_but_no_address_or_value(django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        send_notice(to=["head@school.example", "deputy@school.example"])
    lines = [JsonFormatter().format(record) for record in caplog.records]
    text = "\n".join(lines)
    assert "core_test_notice" in text
    assert '"recipients": 2' in text
    for secret in ("head@school.example", "deputy@school.example", "WR-0042", "St Mary"):
        assert secret not in text


# The worker checks its connection like a request does, which would close a test's wrapping transaction:
# these run with real commits.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_database_backend_stores_the_task_and_the_worker_sends_it():
    with transaction.atomic():
        send_notice()
        assert not DBTaskResult.objects.exists()  # enqueued only on commit
    assert mail.outbox == []  # queued, not sent
    stored = DBTaskResult.objects.get()
    assert stored.task_path == "core.tasks.email_deliver"
    assert stored.args_kwargs["kwargs"]["to"] == ["head@school.example"]

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("your request WR-0042 was approved")
    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL"


@override_settings(TASKS=DB_TASKS)
def test_database_backend_stores_nothing_on_rollback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_notice()
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.core.failing_email_backend.RefusingBackend", TASKS=DB_TASKS)
def test_a_failed_send_keeps_the_addresses_out_of_logs_and_stored_errors(caplog):
    caplog.set_level(logging.INFO)
    with transaction.atomic():
        send_notice()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert mail.outbox == []
    stored = DBTaskResult.objects.get()
    assert stored.status == "FAILED"
    traceback = stored.task_result.errors[0].traceback
    assert "EmailDeliveryFailed" in traceback
    assert "SMTPRecipientsRefused" in traceback
    assert "head@school.example" not in traceback
    text = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert '"message": "email failed"' in text
    assert "head@school.example" not in text


def test_a_queue_failure_after_commit_is_logged_without_addresses(
    django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from core import emails

    def refuse(**kwargs):
        raise ConnectionError(f"queue down while sending to {kwargs['to']}")

    monkeypatch.setattr(emails, "email_deliver", SimpleNamespace(enqueue=refuse))
    with django_capture_on_commit_callbacks(execute=True):
        send_notice()  # the committed change stands; no exception reaches the view
    text = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert '"message": "email could not be queued"' in text
    assert '"error": "ConnectionError"' in text
    assert "head@school.example" not in text
    assert mail.outbox == []
