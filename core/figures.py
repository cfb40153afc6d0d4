"""What one programme may show about itself elsewhere in the portal, without the programmes importing each other.

Each app may provide a `figures.py` module with any of:

- `school_activity(school_ids: Collection[int]) -> dict[int, list[Activity]]`: counts of the school's current activity
  in that programme (open wand requests, Stepping Stones pupils...), never personal data. Officers show these in the
  queue and on an officer's schools; the school profile shows them too.
- `tasks_for(user) -> list[Task]`: what this user has to do in that programme now (requests waiting, referrals to
  answer, schools without an officer), each with a link. The signed-in landing page lists them.
- `school_figures(schools) -> dict[str, dict[int, int]]`: the programme's own figures for each of `schools` (a School
  queryset), by figure name ("wands.taken_up": {urn: 1}, "wands.delivered": {urn: wands}), non-zero values only, in a
  constant number of queries. The dashboard, the map, the open figures and a borough's schools read them from the
  summary rows `insights.summaries` keeps (per-borough sums are sums of these per-school values), so "wands taken up"
  and "officer covered" are computed once, here. With `FIGURE_SOURCES`: the models whose saves and deletes change
  them; bulk writers call `figures_changed()`.
- `borough_daily_figures(*, start=None, before=None) -> dict[str, dict[(la_code, day), int]]`: figures counted per
  borough and day over a moving window (toolkit downloads in the last 12 months), between two times; with
  `FIGURE_SOURCES_DELETE`: models whose deletes change past days (their additions are counted live after the
  summaries' day).

`collect_school_activity`, `collect_tasks` and `collect_school_figures` ask every installed app that has such a
module. `public` and `insights` may import programme selectors directly; programmes reach each other only through here.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.dispatch import Signal

from core import suppression

from .discovery import app_modules

SMALL_COUNT_THRESHOLD = 5


def small_count_label(value: int, *, threshold: int = SMALL_COUNT_THRESHOLD) -> str:
    """1 to 4 as "fewer than 5", others exact: only for pages whose every viewer may see the records (Stepping Stones
    coordinators' own dashboard). Anything shown to others goes through core.suppression."""
    return f"fewer than {threshold}" if 0 < value < threshold else str(value)


@dataclass(frozen=True)
class Activity:
    programme: str  # "Knife wands", "Stepping Stones", ...
    label: str  # "Open wand requests"
    count: int
    suppress_small: bool = False  # True for counts of pupils: shown through core.suppression

    @property
    def display(self) -> str:
        """As shown to anyone: counts of pupils through core.suppression (pages that know the viewer may see the
        pupils show `count` instead)."""
        return suppression.pupil_count_label(self.count) if self.suppress_small else str(self.count)


@dataclass(frozen=True)
class Task:
    programme: str
    label: str  # "Wand requests waiting for approval"
    count: int
    url: str


def _figures_modules():
    return app_modules("figures")


def collect_school_activity(school_ids: Collection[int]) -> dict[int, list[Activity]]:
    ids = list(school_ids)
    result: dict[int, list[Activity]] = {school_id: [] for school_id in ids}
    if not ids:
        return result
    for module in _figures_modules():
        provider = getattr(module, "school_activity", None)
        if provider is None:
            continue
        for school_id, items in provider(ids).items():
            result.setdefault(school_id, []).extend(items)
    return result


def collect_tasks(user) -> list[Task]:
    tasks: list[Task] = []
    for module in _figures_modules():
        provider = getattr(module, "tasks_for", None)
        if provider is not None:
            tasks.extend(task for task in provider(user) if task.count)
    return tasks


def collect_school_figures(schools) -> dict[str, dict[int, int]]:
    """Every programme's per-school figures for `schools` (a School queryset): {figure name: {urn: value}}."""
    figures: dict[str, dict[int, int]] = {}
    for module in _figures_modules():
        provider = getattr(module, "school_figures", None)
        if provider is not None:
            figures.update(provider(schools))
    return figures


def collect_borough_daily_figures(*, start=None, before=None) -> dict[str, dict[tuple, int]]:
    """Every programme's per-borough, per-day figures between `start` and `before`: {figure: {(la_code, day): n}}."""
    figures: dict[str, dict[tuple, int]] = {}
    for module in _figures_modules():
        provider = getattr(module, "borough_daily_figures", None)
        if provider is not None:
            figures.update(provider(start=start, before=before))
    return figures


def collect_figure_sources() -> tuple[list, list]:
    """The models whose saves and deletes change some programme's figures, and those whose deletes only do."""
    modules = list(_figures_modules())
    return (
        [model for module in modules for model in getattr(module, "FIGURE_SOURCES", ())],
        [model for module in modules for model in getattr(module, "FIGURE_SOURCES_DELETE", ())],
    )


# Sent by `figures_changed`: insights.summaries listens and schedules a refresh of the summary rows.
figures_stale = Signal()


def figures_changed() -> None:
    """Some per-school figure may have changed (a bulk write that sends no model signals: the register's refresh,
    applied successions). The summary rows are refreshed soon after the commit (insights.summaries)."""
    figures_stale.send(sender=None)
