"""`manage.py portal_worker`: django-tasks-db's db_worker (same options) that backs off and retries when the database
goes away, takes back tasks left running by a stopped worker, and writes a heartbeat (core.worker)."""

from django_tasks_db.management.commands import db_worker

from core import worker


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


class Command(db_worker.Command):
    help = "Run the background worker: db_worker with back-off, stale-task reclaim and a heartbeat"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--reclaim-after",
            type=_positive,
            default=worker.RECLAIM_AFTER_SECONDS,
            help="Seconds after which a RUNNING task is taken back and retried (default: %(default)s)",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=worker.MAX_ATTEMPTS,
            help="Claims after which a task that keeps losing its worker is failed (default: %(default)s)",
        )
        parser.add_argument(
            "--heartbeat",
            type=_positive,
            default=worker.HEARTBEAT_SECONDS,
            help="Seconds between heartbeats (default: %(default)s)",
        )

    def handle(self, *, reclaim_after, max_attempts, heartbeat, **options):
        original = db_worker.Worker
        # db_worker.Command.handle builds a `Worker`: build ours, with the same options and the extra ones.
        db_worker.Worker = lambda **kwargs: worker.ResilientWorker(
            reclaim_after=reclaim_after, max_attempts=max_attempts, heartbeat_every=heartbeat, **kwargs
        )
        try:
            return super().handle(**options)
        finally:
            db_worker.Worker = original
