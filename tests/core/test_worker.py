"""The background worker (manage.py portal_worker): a task left running by a stopped worker is taken back and its
email sent exactly once; the worker backs off and carries on when the database goes away; it writes a heartbeat."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import outage, tasks
from core.models import SentEmail, WorkerHeartbeat
from core.worker import ResilientWorker, reclaim_stale_tasks

from .test_emails import DB_TASKS, send_notice

# The worker checks its connection like a request does, which would close a test's wrapping transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("core_test_templates"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]


@pytest.fixture(autouse=True)
def _database_tasks():
    outage.reset()
    with override_settings(TASKS=DB_TASKS):
        yield
    outage.reset()


def queue_email(**overrides) -> DBTaskResult:
    with transaction.atomic():
        send_notice(**overrides)
    return DBTaskResult.objects.latest("enqueued_at")


def left_running(task_result: DBTaskResult, *, by: str = "killed-worker", seconds_ago: float = 3600) -> None:
    """As a worker killed mid-task leaves it: RUNNING, claimed by a worker that no longer exists."""
    task_result.claim(by)
    DBTaskResult.objects.filter(pk=task_result.pk).update(started_at=timezone.now() - timedelta(seconds=seconds_ago))


def run_worker(*extra: str) -> None:
    call_command(
        "portal_worker", "--batch", "--no-startup-delay", "--no-reload", "--reclaim-after", "60", *extra, verbosity=0
    )


def test_a_task_left_running_before_it_sent_is_taken_back_and_sent_once():
    task_result = queue_email()
    left_running(task_result)
    run_worker()
    assert len(mail.outbox) == 1
    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"
    assert task_result.worker_ids[0] == "killed-worker" and len(task_result.worker_ids) == 2
    assert SentEmail.objects.filter(task_id=str(task_result.pk)).count() == 1


def test_a_task_left_running_after_it_sent_is_not_sent_again(caplog):
    caplog.set_level(logging.INFO, logger="portal.email")
    task_result = queue_email()
    left_running(task_result)
    # The killed worker got as far as sending (and recording it), not as far as marking the task done.
    token = tasks._current_task_id.set(str(task_result.pk))
    try:
        tasks.email_deliver.call(**task_result.args_kwargs["kwargs"])
    finally:
        tasks._current_task_id.reset(token)
    assert len(mail.outbox) == 1
    first_message_id = mail.outbox[0].extra_headers["Message-ID"]
    assert str(task_result.pk) in first_message_id

    run_worker()
    assert len(mail.outbox) == 1  # no second email
    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"
    assert any(record.getMessage() == "email already sent" for record in caplog.records)


def test_every_email_of_a_queue_is_sent_exactly_once_whatever_was_running():
    queued = [queue_email(to=[f"person{n}@school.example"]) for n in range(6)]
    left_running(queued[0])  # killed before the send
    left_running(queued[1])  # killed after the send
    token = tasks._current_task_id.set(str(queued[1].pk))
    try:
        tasks.email_deliver.call(**queued[1].args_kwargs["kwargs"])
    finally:
        tasks._current_task_id.reset(token)
    run_worker()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [f"person{n}@school.example" for n in range(6)]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_task_running_for_less_than_the_limit_is_left_alone():
    task_result = queue_email()
    left_running(task_result, by="busy-worker", seconds_ago=10)
    run_worker()
    assert mail.outbox == []
    task_result.refresh_from_db()
    assert task_result.status == "RUNNING"


def test_on_start_a_worker_takes_back_at_once_what_it_left_running_under_its_own_id():
    task_result = queue_email()
    left_running(task_result, by="portal-worker-1", seconds_ago=1)  # killed a second ago, restarted with its id
    run_worker("--worker-id", "portal-worker-1")
    assert len(mail.outbox) == 1
    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"


def test_a_task_that_keeps_losing_its_worker_is_failed_not_retried_for_ever():
    task_result = queue_email()
    for n in range(5):
        task_result.claim(f"worker-{n}")
    DBTaskResult.objects.filter(pk=task_result.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert reclaim_stale_tasks(backend_name="default", reclaim_after=60, max_attempts=5) == (0, 1)
    task_result.refresh_from_db()
    assert task_result.status == "FAILED"
    assert task_result.exception_class_path == "core.worker.TaskAbandoned"
    run_worker()
    assert mail.outbox == []


def test_the_worker_backs_off_and_carries_on_when_the_database_goes_away(caplog):
    caplog.set_level(logging.WARNING, logger="portal.outage")
    queue_email()
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="resilient",
        excluded_queue_names=[],
    )
    sleeps = []
    worker.sleep = sleeps.append
    real_claim = worker._claim_next
    failures = iter([OperationalError("server closed the connection unexpectedly")] * 4)

    def claim_while_postgres_restarts():
        error = next(failures, None)
        if error is not None:
            raise error
        return real_claim()

    with mock.patch.object(worker, "_claim_next", side_effect=claim_while_postgres_restarts):
        worker.run()  # returns (batch mode, queue empty) instead of raising
    assert len(mail.outbox) == 1
    # Doubling back-off from 0.5 s, each with jitter between half and all of it.
    assert len(sleeps) == 4
    for attempt, slept in enumerate(sleeps):
        assert 0.25 * 2**attempt <= slept <= 0.5 * 2**attempt
    outage_lines = [r for r in caplog.records if getattr(r, "kind", "") == "worker-database"]
    assert len(outage_lines) == 1  # once a minute, not once per attempt


def test_the_worker_writes_a_heartbeat():
    run_worker("--worker-id", "heartbeat-worker")
    beat = WorkerHeartbeat.objects.get(worker_id="heartbeat-worker")
    assert (timezone.now() - beat.seen_at).total_seconds() < 30


def test_heartbeat_and_reclaim_failures_do_not_stop_the_worker(caplog):
    queue_email()
    with mock.patch("core.worker.write_heartbeat", side_effect=[OperationalError("gone"), None, None, None, None]):
        run_worker()
    assert len(mail.outbox) == 1


def test_a_database_error_inside_a_task_is_retried_not_recorded_as_a_failure():
    """PostgreSQL goes away while a task runs: the task must not be marked FAILED (its email would be lost)."""
    task_result = queue_email()
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="blip",
        excluded_queue_names=[],
    )
    worker.sleep = lambda seconds: None
    real = tasks._already_sent
    blips = iter([OperationalError("terminating connection due to administrator command")])

    def already_sent(*args):
        error = next(blips, None)
        if error is not None:
            raise error
        return real(*args)

    with mock.patch.object(tasks, "_already_sent", side_effect=already_sent):
        worker.run()
    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"
    assert task_result.worker_ids == ["blip", "blip"]  # taken back at once by the same worker
    assert len(mail.outbox) == 1
