from django.apps import AppConfig

# The scope of the queue page's cached totals (core.pagination.CachedCountPaginator). Every change to a request goes
# through save() (wands.services._move and the creates), so the signals below catch them all.
QUEUE_COUNTS = "wand-requests"


def _requests_changed(**_kwargs) -> None:
    from django.db import transaction

    from core.pagination import counts_changed

    counts_changed(QUEUE_COUNTS)
    transaction.on_commit(lambda: counts_changed(QUEUE_COUNTS))


class WandsConfig(AppConfig):
    name = "wands"
    verbose_name = "Knife wands for schools"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from wands.models import WandRequest

        post_save.connect(_requests_changed, sender=WandRequest, dispatch_uid="wand-queue-counts-save")
        post_delete.connect(_requests_changed, sender=WandRequest, dispatch_uid="wand-queue-counts-delete")
