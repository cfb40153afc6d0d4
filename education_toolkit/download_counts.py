"""Each resource's number of downloads, for the editors' list: the whole days before today counted once and kept, today
counted live from the `downloaded_at` index.

Every download is a new row (`services.downloads_record*`), so the editors' list, which shows the counts, is rendered
again after every download (core.fragments, keyed by the downloads table's version). Counting the 1,000,000 rows each
time is what made that page slow (docs/performance.md); what a download changes is only today's part. Downloads are
only ever added with the time of the download (`auto_now_add`, the assumption insights' day rows make too,
education_toolkit.figures), so the days before today change only when a download row is updated or deleted: any
UPDATE or DELETE of the downloads table through Django (the ORM, bulk writes, raw SQL through a Django cursor) gives
the kept part a new version, at once and after commit (core.data_versions' version of the rows changed, which an
INSERT does not bump). Nothing is kept while the open transaction has written downloads (a rolled-back change never
reaches the cache), nor in the first minutes of a day (a download stamped just before midnight may commit just after
it).
`PAST_TTL_SECONDS` bounds what a write made outside Django could leave behind, as core.fragments' TTL does.
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.core.cache import cache
from django.db.models import Count, IntegerField, Value
from django.utils import timezone

from core import data_versions
from core.outage import log_outage

from .models import Download

TABLE = Download._meta.db_table
PAST_TTL_SECONDS = 300
# Rows stamped before midnight by a transaction still open at midnight: not kept until this long into the day.
SETTLE = timedelta(minutes=5)


def _day_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), clock_time.min))


def _counted_before(before: datetime) -> dict[int, int]:
    """Downloads before `before` per resource, in one statement (one snapshot, so a download committed meanwhile is
    in both parts or in neither): every download per resource, read from the `resource` index alone, less each one
    from `before` on, found through the `downloaded_at` index. Filtering the whole table by `downloaded_at` reads
    every row (seconds at 1,000,000 downloads: docs/performance.md)."""
    every = Download.objects.order_by().values_list("resource_id").annotate(n=Count("*"))
    minus_one = Value(-1, output_field=IntegerField())
    since = Download.objects.order_by().filter(downloaded_at__gte=before).values_list("resource_id", minus_one)
    counts: dict[int, int] = defaultdict(int)
    for resource_id, n in every.union(since, all=True):
        counts[resource_id] += n
    return {resource_id: n for resource_id, n in counts.items() if n}


def _counted_since(start: datetime) -> Counter:
    """Downloads from `start` on per resource (today's: few), through the `downloaded_at` index. Counted here, not
    grouped in SQL, where SQLite would walk the `resource` index instead."""
    return Counter(Download.objects.order_by().filter(downloaded_at__gte=start).values_list("resource_id", flat=True))


def _past(before: datetime, now: datetime) -> dict[int, int]:
    """Downloads before `before` (today's start) per resource: kept while nothing changed them."""
    storable = now - before >= SETTLE and TABLE not in data_versions.tables_written_in_transaction()
    try:
        (version,) = data_versions.versions([data_versions.changed(TABLE)])
        key = f"toolkit:past-downloads:{version}:{before.isoformat()}"
        kept = cache.get(key)
    except Exception as error:  # noqa: BLE001 - a cache failure is a miss: count
        log_outage("cache:toolkit-downloads", "download counts not kept: counted", error=error)
        return _counted_before(before)
    if kept is not None:
        return kept
    counts = _counted_before(before)
    if storable:
        try:
            cache.set(key, counts, PAST_TTL_SECONDS)
        except Exception as error:  # noqa: BLE001
            log_outage("cache:toolkit-downloads", "download counts not kept: counted", error=error)
    return counts


def per_resource() -> dict[int, int]:
    """{resource id: downloads}: exact, every download up to now (resources never downloaded are left out)."""
    now = timezone.now()
    today = _day_start(now)
    counts: dict[int, int] = defaultdict(int, _past(today, now))
    for resource_id, n in _counted_since(today).items():
        counts[resource_id] += n
    return dict(counts)
