"""The background worker, made to survive what production does to it (`manage.py portal_worker`).

django-tasks-db's `db_worker` marks a task RUNNING before it runs it and nothing ever takes a stale one back, and it
exits when PostgreSQL goes away. This worker runs the same loop and the same task code, plus:

- **Back-off**: a database error (PostgreSQL restarting, unreachable) is logged once a minute and retried after
  0.5 s, doubling to 30 s; the worker never exits for it.
- **Reclaim**: a task RUNNING for longer than `reclaim_after` (its worker was killed, the machine died) is put back
  to READY and runs again; on start-up, tasks still RUNNING under this worker's own id are taken back at once (the
  previous run with this id is dead). A task taken back `max_attempts` times is marked FAILED, not retried for ever.
  Emails are idempotent per task (core.tasks), so a retry does not send twice.
- **Heartbeat**: a WorkerHeartbeat row every `heartbeat_every` seconds; /healthz reports its age.
"""

import contextlib
import logging
import random
import time
from datetime import timedelta

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerHeartbeat
from .outage import log_outage

logger = logging.getLogger("portal.worker")

RECLAIM_AFTER_SECONDS = 15 * 60  # well above any email's run time (EMAIL_TIMEOUT is 30 s)
MAX_ATTEMPTS = 5
HEARTBEAT_SECONDS = 10.0
BACKOFF_START = 0.5
BACKOFF_MAX = 30.0


class TaskAbandoned(Exception):
    """The task was taken back from dead workers too many times: it is failed, not retried for ever."""


def reclaim_stale_tasks(
    *, backend_name: str, reclaim_after: float, max_attempts: int = MAX_ATTEMPTS, own_worker_id: str = ""
) -> tuple[int, int]:
    """Put RUNNING tasks older than `reclaim_after` seconds (or left by `own_worker_id`) back to READY; fail those
    already claimed `max_attempts` times. Returns (reclaimed, failed). Safe to run from several workers at once."""
    cutoff = timezone.now() - timedelta(seconds=reclaim_after)
    reclaimed = failed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.running().filter(backend_name=backend_name).filter(started_at__lt=cutoff)
        candidates = list(stale.select_for_update(skip_locked=True).only("id", "worker_ids", "task_path"))
        if own_worker_id:
            own = (
                DBTaskResult.objects.running()
                .filter(backend_name=backend_name)
                .select_for_update(skip_locked=True)
                .only("id", "worker_ids", "task_path")
            )
            seen = {task.id for task in candidates}
            candidates += [t for t in own if t.worker_ids and t.worker_ids[-1] == own_worker_id and t.id not in seen]
        for task_result in candidates:
            if len(task_result.worker_ids) >= max_attempts:
                updated = DBTaskResult.objects.filter(pk=task_result.pk, status="RUNNING").update(
                    status="FAILED",
                    finished_at=timezone.now(),
                    exception_class_path=f"{TaskAbandoned.__module__}.{TaskAbandoned.__qualname__}",
                    traceback=f"Taken back from {len(task_result.worker_ids)} workers that stopped; not retried.",
                )
                failed += updated
                if updated:
                    extra = {"task_id": str(task_result.pk), "task": task_result.task_path}
                    logger.error("task abandoned", extra=extra)
            else:
                updated = DBTaskResult.objects.filter(pk=task_result.pk, status="RUNNING").update(status="READY")
                reclaimed += updated
                if updated:
                    logger.warning(
                        "task taken back from a stopped worker",
                        extra={"task_id": str(task_result.pk), "task": task_result.task_path},
                    )
    return reclaimed, failed


def write_heartbeat(*, worker_id: str, started_at, tasks_run: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "started_at": started_at, "tasks_run": tasks_run},
    )


class ResilientWorker(Worker):
    def __init__(
        self,
        *,
        reclaim_after: float = RECLAIM_AFTER_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        heartbeat_every: float = HEARTBEAT_SECONDS,
        backoff_max: float = BACKOFF_MAX,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.reclaim_after = reclaim_after
        self.max_attempts = max_attempts
        self.heartbeat_every = heartbeat_every
        self.backoff_max = backoff_max
        self.started_at = timezone.now()
        self._next_heartbeat = 0.0
        self._next_reclaim = 0.0
        self._reclaimed_own = False
        self.sleep = time.sleep  # tests replace it

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now >= self._next_heartbeat:
            write_heartbeat(worker_id=self.worker_id, started_at=self.started_at, tasks_run=self._run_tasks)
            self._next_heartbeat = now + self.heartbeat_every
        if now >= self._next_reclaim:
            reclaim_stale_tasks(
                backend_name=self.backend_name,
                reclaim_after=self.reclaim_after,
                max_attempts=self.max_attempts,
                own_worker_id="" if self._reclaimed_own else self.worker_id,
            )
            self._reclaimed_own = True
            self._next_reclaim = now + min(self.reclaim_after / 4, 60)

    def _claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)  # "claim" the task, so it isn't run by another worker process
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """db_worker's run_task, except that the database going away (OperationalError, InterfaceError: in the task
        or while marking it done) is not recorded as the task failing, which would lose its email: the task is left
        RUNNING under this worker's id and taken back as soon as the database answers again."""
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                return_value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                return_value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except (OperationalError, InterfaceError):
            raise  # to run(): back off, then take the task back
        except BaseException as error:  # noqa: BLE001 - as db_worker: any failure of the task is recorded
            db_task_result.set_failed(error)
            try:
                sender = type(db_task_result.task.get_backend())
                task_result = db_task_result.task_result
            except (ImportError, SuspiciousOperation):
                logger.exception("task failed unexpectedly", extra={"task_id": str(db_task_result.id)})
            else:
                task_finished.send(sender=sender, task_result=task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def run(self) -> None:
        logger.info("worker started", extra={"worker_id": self.worker_id, "queues": ",".join(self.queue_names)})
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # noqa: S311 - a small delay against a thundering herd
        backoff = 0.0
        while self.running:
            task_result = None
            try:
                close_old_connections()
                self._housekeeping()
                task_result = self._claim_next()
                if task_result is not None:
                    self.run_task(task_result)
            except DatabaseError as error:
                # Whatever this worker left RUNNING is dead: take it back first, on the next turn.
                self._reclaimed_own = False
                self._next_reclaim = 0.0
                if error.args and is_locked_database_exception(error):  # SQLite busy: try again shortly
                    self.sleep(self.interval or 0.1)
                    continue
                backoff = min(self.backoff_max, backoff * 2 or BACKOFF_START)
                log_outage("worker-database", "worker: database unavailable, retrying", error=error)
                for connection in connections.all():
                    with contextlib.suppress(DatabaseError):
                        connection.close()
                self.sleep(backoff * (0.5 + random.random() / 2))  # noqa: S311
                continue
            backoff = 0.0
            if self.batch and task_result is None:
                logger.info("no more tasks: worker exiting", extra={"worker_id": self.worker_id})
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("maximum tasks run: worker exiting", extra={"worker_id": self.worker_id})
                return
            close_old_connections()
            if self.running and task_result is None:
                self.sleep(self.interval)
