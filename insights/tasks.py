"""Background work of the insights app: refreshing the summary rows of the cross-programme figures."""

from django_tasks import task

from . import summaries


@task()
def figures_refresh() -> int:
    """Rebuild every summary row (enqueued at most once at a time by `summaries.refresh_request`)."""
    return summaries.refresh_now()
