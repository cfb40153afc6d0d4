"""Background tasks of the officers app. They run in `manage.py db_worker`, after the enqueuing commit."""

from django_tasks import task


@task()
def optimiser_run_execute(*, run_id: int) -> str:
    """Solve an optimiser run one BCU at a time and store the proposal; returns the run's final status."""
    from .services import optimiser_run_execute as execute

    return execute(run_id=run_id)
