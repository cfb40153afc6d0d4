"""The register's cached list counts (core.pagination.CachedCountPaginator): the API list and the Find a school page.

Any write to a school, authority or BCU makes them stale: saves and deletes through signals (schools/apps.py), the
GIAS import's bulk writes by calling `register_changed` itself.
"""

from core.figures import figures_changed
from core.pagination import counts_changed

REGISTER_COUNTS = "schools-register"


def register_changed() -> None:
    counts_changed(REGISTER_COUNTS)
    figures_changed()  # a succession applied or a school closed: the programmes' per-school figures follow
