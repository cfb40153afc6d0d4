"""No page changes what it shows (issue 22): for the same data, every benchmarked page shows the same text, links, form
fields and table cells as its snapshot in tests/bench/snapshots/, made from the pages before the speed work.

The data set is bench/generate_national.py's at a tiny scale (its seed, its users; timestamps from its fixed epoch),
made in the test database with the clock stopped at FROZEN_NOW (`django.utils.timezone.now` and the model fields
defaulting to it), and with every table's id sequence restarted after the rows the migrations load, so ids (in links)
are the same on SQLite and PostgreSQL whatever ran before. Each page of bench/bench_html.py's PAGES, the bare page
(anonymous and signed in) and the public pages are rendered as their users, twice (cold cache, then warm: a cached
fragment must show what the page shows), normalised (tests/bench/rendering.py: text, links, forms, tables; the CSRF
token masked) and compared with the snapshot; a failure shows a unified diff per page.

Rewrite the snapshots (only for a change meant to alter what pages show, reviewed in the diff):

    BENCH_SNAPSHOTS_WRITE=1 .venv/bin/pytest tests/bench/test_same_rendering.py

Without BENCH_SNAPSHOTS_WRITE the test never writes a snapshot: a missing one fails.
"""

import datetime
import difflib
import os
import random
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from bench import bench_html, generate_national
from tests.bench.rendering import normalise

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
WRITE = os.environ.get("BENCH_SNAPSHOTS_WRITE", "") not in ("", "0")
FROZEN_NOW = datetime.datetime(2026, 9, 15, 9, 30, tzinfo=datetime.UTC)  # after the generator's two years of rows
SCALE = 0.002  # as tests/bench/test_bench_scripts.py
SCHOOLS = 600  # about 60 in London (the rest of England is in the register too): every borough on the dashboards
SEED = 2026
# The bare page and the public pages, besides bench_html.PAGES: (name, user, URL).
EXTRA_PAGES = [
    ("bare page (anonymous)", None, bench_html.FLOOR),
    ("bare page (programme admin)", bench_html.ADMIN, bench_html.FLOOR),
    ("home page (anonymous)", None, "/"),
    ("open figures (programme admin)", bench_html.ADMIN, "/figures"),
    ("insights school profile (allocator)", bench_html.ALLOCATOR, "/insights/schools/{profile_urn}/"),
    ("insights dashboard, a BCU and a phase", bench_html.ADMIN, "/insights/?bcu={bcu_slug}&phase=secondary"),
    ("Find a school, page 2 (anonymous)", None, "/schools/?page=2"),
]


@pytest.fixture
def frozen_now(monkeypatch):
    """The clock stopped: timezone.now (and localdate, which calls it), and the fields whose default is timezone.now
    (their default was bound when the models were defined)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: FROZEN_NOW)
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and field.default is real_now:
                monkeypatch.setattr(field, "default", timezone.now)
                field.__dict__.pop("_get_default", None)  # a cached_property holding the old default
    yield FROZEN_NOW
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            field.__dict__.pop("_get_default", None)


def restart_sequences() -> None:
    """Every table's next id is one more than its largest (the rows the migrations load, or 1): the same ids for the
    same rows whichever tests ran before (sequences are not rolled back on PostgreSQL)."""
    table_models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(no_style(), table_models):
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for model in table_models:
                pk = model._meta.pk
                if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                    table, column = model._meta.db_table, pk.column
                    cursor.execute(
                        f'UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX("{column}"), 0) FROM "{table}") '  # noqa: S608
                        "WHERE name = %s",
                        [table],
                    )


def make_data() -> dict[str, object]:
    """generate_national.py's rows at SCALE (but SCHOOLS schools), in its order with its seed; bench_html's users."""
    counts = {name: max(1, round(value * SCALE)) for name, value in generate_national.FULL.items()}
    counts["resources"] = max(20, counts["resources"])
    counts["schools"] = SCHOOLS
    rng = random.Random(SEED)
    clock = generate_national.Clock(3600)
    generate_national.date_migrated_rows()
    generate_national.make_schools(counts["schools"], SEED, clock)
    _, head = generate_national.make_users(clock, counts["officers"])
    generate_national.make_officers(counts["officers"], rng, clock)
    generate_national.make_wand_requests(counts["wand_requests"], rng, clock, head)
    generate_national.make_stock_movements(counts["stock_movements"], rng, clock)
    generate_national.make_toolkit(counts["resources"], counts["downloads"], rng, clock)
    generate_national.make_referrals(counts["referrals"], rng, clock)
    bench_html.ensure_users()
    from schools.models import BasicCommandUnit

    values = bench_html.placeholders()
    values["bcu_slug"] = BasicCommandUnit.objects.order_by("slug").values_list("slug", flat=True)[0]
    return values


def snapshot_name(name: str, user: str | None) -> str:
    who = user.split("@")[0].removeprefix("bench-") if user else "anonymous"
    return re.sub(r"[^a-z0-9]+", "-", f"{name} {who}".lower()).strip("-") + ".txt"


def render(user: str | None, url: str) -> str:
    client = Client()
    if user:
        from accounts.models import User

        client.force_login(User.objects.get(email=user))  # with the two-factor step (tests/conftest.py)
    response = client.get(url)
    assert response.status_code == 200, (url, user, response.status_code, response.get("Location"))
    return normalise(response.content.decode())


def test_every_benchmarked_page_shows_what_its_snapshot_shows(frozen_now, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], generate_national.ROOT / "bench" / "templates"],
        }
    ]
    restart_sequences()
    values = make_data()
    pages = [*bench_html.PAGES, *EXTRA_PAGES]
    names = [snapshot_name(name, user) for name, user, _ in pages]
    assert len(set(names)) == len(names), "two pages would share a snapshot"
    cache.clear()
    failures, written = [], []
    for (name, user, url), file_name in zip(pages, names, strict=True):
        url = url.format(**values)
        header = f"# {name}\n# GET {url} as {user or 'anonymous'}\n"
        cold = header + render(user, url)
        warm = header + render(user, url)
        path = SNAPSHOTS / file_name
        if WRITE:
            assert cold == warm, f"{name}: a second rendering differs from the first (not deterministic)"
            SNAPSHOTS.mkdir(exist_ok=True)
            if not path.exists() or path.read_text() != cold:
                path.write_text(cold)
                written.append(file_name)
            continue
        if not path.exists():
            failures.append(f"{name}: no snapshot {path.relative_to(generate_national.ROOT)}")
            continue
        expected = path.read_text()
        for label, actual in (("first rendering", cold), ("second rendering (warm cache)", warm)):
            if actual != expected:
                diff = difflib.unified_diff(
                    expected.splitlines(), actual.splitlines(), f"snapshot {file_name}", label, lineterm="", n=2
                )
                failures.append(f"{name} (`{url}`), {label}:\n" + "\n".join(diff))
                break
    unused = sorted({p.name for p in SNAPSHOTS.glob("*.txt")} - set(names)) if SNAPSHOTS.exists() else []
    if WRITE:
        for file_name in unused:
            (SNAPSHOTS / file_name).unlink()
        print(f"Snapshots written: {len(written)} of {len(names)}; removed {len(unused)}")
        return
    if unused:
        failures.append(f"snapshots of no page (remove them with BENCH_SNAPSHOTS_WRITE=1): {unused}")
    if failures:  # the diffs alone, without the test's source
        pytest.fail(
            f"{len(failures)} of {len(pages)} pages show something else:\n\n" + "\n\n".join(failures), pytrace=False
        )
