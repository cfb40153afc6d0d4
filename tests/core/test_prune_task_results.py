from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


def _result(*, status, finished_days_ago=None):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="core.emails.send_email_task",
        backend_name="default",
        queue_name="default",
        run_after=now,
        finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
        exception_class_path="",
        traceback="",
    )


def test_deletes_only_finished_results_older_than_the_cutoff():
    old_ok = _result(status=TaskResultStatus.SUCCESSFUL, finished_days_ago=40)
    old_failed = _result(status=TaskResultStatus.FAILED, finished_days_ago=31)
    recent = _result(status=TaskResultStatus.SUCCESSFUL, finished_days_ago=5)
    queued = _result(status=TaskResultStatus.READY)
    running = _result(status=TaskResultStatus.RUNNING)
    out = StringIO()

    call_command("prune_task_results", "--days", "30", stdout=out)

    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, queued.pk, running.pk}
    assert old_ok.pk not in remaining and old_failed.pk not in remaining
    assert "Deleted 2 " in out.getvalue()


def test_dry_run_deletes_nothing():
    _result(status=TaskResultStatus.SUCCESSFUL, finished_days_ago=90)
    out = StringIO()
    call_command("prune_task_results", "--days", "7", "--dry-run", stdout=out)
    assert DBTaskResult.objects.count() == 1
    assert "Would delete 1 " in out.getvalue()


def test_rejects_a_non_positive_age():
    with pytest.raises(CommandError):
        call_command("prune_task_results", "--days", "0")


def test_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    for _ in range(50):
        _result(status=TaskResultStatus.SUCCESSFUL, finished_days_ago=60)
    with django_assert_max_num_queries(6):
        call_command("prune_task_results", "--days", "30", stdout=StringIO())
    assert DBTaskResult.objects.count() == 0


def test_old_send_records_and_heartbeats_go_too_recent_ones_stay():
    from core.models import SentEmail, WorkerHeartbeat

    now = timezone.now()
    old = SentEmail.objects.create(task_id="old", template="t", recipients=1)
    recent = SentEmail.objects.create(task_id="recent", template="t", recipients=1)
    SentEmail.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=40))
    WorkerHeartbeat.objects.create(worker_id="gone", started_at=now, seen_at=now - timedelta(days=40))
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=now, seen_at=now)
    out = StringIO()
    call_command("prune_task_results", "--days", "30", stdout=out)
    assert list(SentEmail.objects.values_list("pk", flat=True)) == [recent.pk]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
    assert "Deleted 1 email send records" in out.getvalue()
