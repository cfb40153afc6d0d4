"""The register's cached list counts (core.pagination.CachedCountPaginator): the API list and the Find a school page.

Any write to a school, authority or BCU makes them stale: saves and deletes through signals (schools/apps.py), the
GIAS import's bulk writes by calling `register_changed` itself.
"""

from django.db import transaction

from core.pagination import counts_changed

REGISTER_COUNTS = "schools-register"


def register_changed(**_signal_kwargs) -> None:
    counts_changed(REGISTER_COUNTS)  # now, so this transaction's own reads count afresh
    transaction.on_commit(lambda: counts_changed(REGISTER_COUNTS))  # and after commit, so nobody keeps the old total
