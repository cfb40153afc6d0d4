from django.apps import AppConfig

# The scope of the queue page's cached totals (core.pagination.CachedCountPaginator). Every change to a request goes
# through save() (core.workflow.transition and the creates), so the signals connected below catch them all.
QUEUE_COUNTS = "wand-requests"


class WandsConfig(AppConfig):
    name = "wands"
    verbose_name = "Knife wands for schools"

    def ready(self):
        from core.pagination import stale_counts_on_write
        from wands.models import WandRequest

        stale_counts_on_write(QUEUE_COUNTS, WandRequest)
