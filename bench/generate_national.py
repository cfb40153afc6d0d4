"""National-scale data for the benchmarks, in a database of its own (never the development or test database).

    .venv/bin/python bench/generate_national.py                          # /tmp/portal_bench.sqlite3
    .venv/bin/python bench/generate_national.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench
    .venv/bin/python bench/generate_national.py --scale 0.01             # a tiny copy (the CI sanity check)

Full scale: about 24,000 schools (a generated GIAS extract for all of England, loaded as the GIAS baseline loads it),
about 3,000 officers with their users, 500,000 wand requests, 100,000 stock movements, 300 toolkit resources with
tags, files and versions, 1,000,000 toolkit downloads, and 100,000 Stepping Stones referrals once that app has its
models (reported as skipped otherwise). Rows are made in batches with `bulk_create` (timestamps spread over two years,
distinct, as real ones are), each table in its own transactions, and the whole run stops adding rows when
`--time-limit` seconds are spent (it says so). Benchmark users (all with the demo password):

- `bench-admin@bench.invalid`: programme admin (TOTP set up), sees every wand request;
- `bench-head@bench.invalid`: headteacher of the school with most requests (scoped lists);
- `bench-allocator@bench.invalid`: police allocator for all London (the officers pages).

The database is emptied first (its tables are flushed): point it only at a throwaway database.
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = "/tmp/portal_bench.sqlite3"
FULL = {
    "schools": 24_000,
    "officers": 3_000,
    "wand_requests": 500_000,
    "stock_movements": 100_000,
    "resources": 300,
    "downloads": 1_000_000,
    "referrals": 100_000,
}
BATCH = 5_000
ADMIN_EMAIL = "bench-admin@bench.invalid"
HEAD_EMAIL = "bench-head@bench.invalid"
ALLOCATOR_EMAIL = "bench-allocator@bench.invalid"
PASSWORD = "demo-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
EPOCH = datetime.datetime(2024, 9, 1, 8, 0, tzinfo=datetime.UTC)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--scale", type=float, default=1.0, help="Share of the national figures (1.0 = full).")
    parser.add_argument("--time-limit", type=float, default=1800, help="Seconds; stop adding rows after this.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--settings", default="bench.settings")
    parser.add_argument(
        "--referrals-only",
        action="store_true",
        help="Add (again) only the Stepping Stones rows to an existing generated database (after its models land).",
    )
    return parser.parse_args(argv)


def setup_django(database_url: str, settings: str = "bench.settings") -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()


def reset_database(database_url: str) -> None:
    """A fresh database: delete the SQLite file, or empty PostgreSQL's public schema; then migrate."""
    from django.core.management import call_command

    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    else:
        from django.db import connection

        # An empty schema, then every migration (a flush would also empty what the data migrations load).
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)


class Clock:
    def __init__(self, limit: float):
        self.started = time.perf_counter()
        self.limit = limit
        self.timings: list[tuple[str, int, float]] = []
        self.cut: list[str] = []

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.started)

    def step(self, name: str, count: int, seconds: float) -> None:
        self.timings.append((name, count, seconds))
        rate = count / seconds if seconds else 0
        print(f"  {name:<28} {count:>10,} rows {seconds:8.1f} s  ({rate:,.0f} rows/s)", flush=True)


def without_auto_now(*fields):
    """bulk_create keeps the timestamps given (auto_now_add would stamp every row with the same now())."""

    class _Context:
        def __enter__(self):
            self.saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
            for f in fields:
                f.auto_now = f.auto_now_add = False

        def __exit__(self, *exc):
            for f, now, now_add in self.saved:
                f.auto_now, f.auto_now_add = now, now_add

    return _Context()


def bulk(model, rows_iter, total: int, clock: Clock, name: str, batch: int = BATCH) -> int:
    """bulk_create from a generator in batches, one transaction per batch; stops when the time limit is reached."""
    from django.db import transaction

    started = time.perf_counter()
    made = 0
    chunk = []
    for row in rows_iter:
        chunk.append(row)
        if len(chunk) >= batch:
            with transaction.atomic():
                model.objects.bulk_create(chunk, batch_size=batch)
            made += len(chunk)
            chunk = []
            if clock.left() <= 0:
                clock.cut.append(f"{name}: {made:,} of {total:,} (time limit)")
                break
    else:
        if chunk:
            with transaction.atomic():
                model.objects.bulk_create(chunk, batch_size=batch)
            made += len(chunk)
    clock.step(name, made, time.perf_counter() - started)
    return made


def date_migrated_rows() -> None:
    """Rows the migrations load carry the time they ran (the first consent statement's "from" date on the sign-ups
    page); the bench's data counts from its epoch, so those pages render the same whichever day it is generated."""
    from public.models import ConsentStatement

    ConsentStatement.objects.update(created_at=EPOCH)


def make_schools(count: int, seed: int, clock: Clock) -> None:
    from bench.bench_gias_import import baseline_load
    from schools.demo_generator import write_gias_file
    from schools.models import School

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        path = Path(folder) / "edubasealldata.csv"
        write_gias_file(path, schools=count, all_regions=True, seed=seed)
        made = baseline_load(path)
    # The register stamps rows with the time they were loaded; the bench's data counts from its epoch, so a page that
    # shows how long a school has waited (the officers queue) renders the same on every day it is generated.
    School.objects.update(created_at=EPOCH, updated_at=EPOCH)
    clock.step("schools (GIAS England)", made, time.perf_counter() - started)


def make_users(clock: Clock, officers: int):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from accounts.models import PoliceRole, ProgrammeRole, User

    started = time.perf_counter()
    password = make_password(PASSWORD)
    admin = User.objects.create(email=ADMIN_EMAIL, full_name="Bench Admin", password=password)
    ProgrammeRole.objects.create(user=admin, kind=ProgrammeRole.Kind.PROGRAMME_ADMIN)
    TOTP.activate(admin, TOTP_SECRET)
    head = User.objects.create(email=HEAD_EMAIL, full_name="Bench Head", password=password)
    TOTP.activate(head, TOTP_SECRET)  # headteachers need two-factor sign-in too
    allocator = User.objects.create(email=ALLOCATOR_EMAIL, full_name="Bench Allocator", password=password)
    PoliceRole.objects.create(user=allocator, kind=PoliceRole.Kind.ALLOCATOR, all_london=True)
    TOTP.activate(allocator, TOTP_SECRET)
    users = [
        User(email=f"officer{n:05d}@bench.invalid", full_name=f"Officer {n}", password=password)
        for n in range(officers)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    clock.step("users", officers + 3, time.perf_counter() - started)
    assert Authenticator.objects.filter(user=admin).exists()
    return admin, head


def make_officers(count: int, rng: random.Random, clock: Clock) -> None:
    from accounts.models import User
    from officers.models import Officer
    from schools.models import BasicCommandUnit

    bcus = list(BasicCommandUnit.objects.all())
    users = list(User.objects.filter(email__startswith="officer").order_by("email").values_list("pk", flat=True))

    def rows():
        for n in range(count):
            yield Officer(
                user_id=users[n] if n < len(users) else None,
                name=f"Officer {n}",
                shoulder_number=f"{n:05d}BN",
                bcu=bcus[n % len(bcus)],
                base_name=f"Station {n % 120}",
                base_postcode="SE1 7AA",
                base_latitude=51.3 + rng.random() * 0.4,
                base_longitude=-0.5 + rng.random() * 0.7,
                capacity=rng.choice([40, 60, 80]),
                created_at=EPOCH,
            )

    with without_auto_now(Officer._meta.get_field("created_at")):
        bulk(Officer, rows(), count, clock, "officers")


def make_wand_requests(count: int, rng: random.Random, clock: Clock, head) -> None:
    from accounts.models import SchoolMembership
    from schools.models import School
    from wands.models import WandRequest

    schools = list(School.objects.exclude(status=School.Status.CLOSED).values_list("urn", "postcode"))
    # One school with many requests (the headteacher's): scoped lists have rows at every depth too.
    busy_urn, busy_postcode = schools[0]
    SchoolMembership.objects.create(user=head, school_id=busy_urn, role=SchoolMembership.Role.HEADTEACHER)
    status = WandRequest.Status
    weights = [
        (status.DELIVERED, 50),
        (status.DISPATCHED, 10),
        (status.APPROVED, 10),
        (status.SUBMITTED, 12),
        (status.WAITING_FOR_STOCK, 5),
        (status.REJECTED, 6),
        (status.CANCELLED, 7),
    ]
    choices = [s for s, w in weights for _ in range(w)]
    # Distinct timestamps over two years, newest last (as submitted).
    step = datetime.timedelta(days=730) / max(count, 1)

    def rows():
        for n in range(count):
            urn, postcode = (busy_urn, busy_postcode) if n % 500 == 0 else schools[rng.randrange(len(schools))]
            created = EPOCH + step * n
            state = rng.choice(choices)
            decided = created + datetime.timedelta(days=2) if state not in (status.SUBMITTED,) else None
            sent = state in (status.DISPATCHED, status.DELIVERED)
            dispatched = created + datetime.timedelta(days=6) if sent else None
            yield WandRequest(
                school_id=urn,
                quantity=rng.randint(1, 12),
                status=state,
                contact_name="Site Manager",
                contact_phone="020 7946 0000",
                delivery_address=f"{rng.randint(1, 200)} High Street\nLondon",
                delivery_postcode=postcode or "SE1 7AA",
                policy_confirmed=True,
                created_at=created,
                updated_at=created,
                decided_at=decided,
                decision_reason="Not eligible" if state == status.REJECTED else "",
                reserved_at=decided if state in (status.APPROVED, status.DISPATCHED, status.DELIVERED) else None,
                courier="Parcelforce" if dispatched else "",
                tracking_reference=f"PF{n:09d}" if dispatched else "",
                dispatched_at=dispatched,
                delivered_at=dispatched + datetime.timedelta(days=2) if state == status.DELIVERED else None,
            )

    fields = [WandRequest._meta.get_field(f) for f in ("created_at", "updated_at")]
    with without_auto_now(*fields):
        bulk(WandRequest, rows(), count, clock, "wand requests")


def make_stock_movements(count: int, rng: random.Random, clock: Clock) -> None:
    from wands.models import StockMovement

    kinds = StockMovement.Kind
    step = datetime.timedelta(days=730) / max(count, 1)

    def rows():
        for n in range(count):
            quantity = rng.randint(1, 12)
            kind = kinds.DELIVERY if n % 50 == 0 else rng.choice([kinds.RESERVATION, kinds.DISPATCH])
            on_hand, reserved = {
                kinds.DELIVERY: (quantity * 50, 0),
                kinds.RESERVATION: (0, quantity),
                kinds.DISPATCH: (-quantity, -quantity),
            }[kind]
            yield StockMovement(
                kind=kind,
                quantity=quantity * (50 if kind == kinds.DELIVERY else 1),
                on_hand_change=on_hand,
                reserved_change=reserved,
                batch=f"B{n // 50:05d}" if kind == kinds.DELIVERY else "",
                serials=[],
                created_at=EPOCH + step * n,
            )

    with without_auto_now(StockMovement._meta.get_field("created_at")):
        bulk(StockMovement, rows(), count, clock, "stock movements")


def make_toolkit(resources: int, downloads: int, rng: random.Random, clock: Clock) -> None:
    from education_toolkit.models import (
        FACETS,
        Download,
        FileVersion,
        Resource,
        ResourceFile,
        ResourceTag,
        ResourceType,
    )
    from schools.models import LocalAuthority

    started = time.perf_counter()
    published = EPOCH
    Resource.objects.bulk_create(
        [
            Resource(
                slug=f"bench-resource-{n:04d}",
                title=f"Resource {n:04d}: {rng.choice(['Assembly', 'Lesson', 'Poster'])} on staying safe",
                summary="What young people learn, and how to deliver it safely. " * 3,
                learning_objectives="Know the law\nKnow where to get help",
                resource_type=rng.choice(ResourceType.values),
                age_range="11 to 14",
                duration_minutes=rng.choice([20, 45, 60, 90]),
                safeguarding_notes="Tell the designated safeguarding lead before delivering.",
                status=Resource.Status.PUBLISHED,
                published_at=published,
            )
            for n in range(resources)
        ],
        batch_size=500,
    )
    ids = list(Resource.objects.order_by("pk").values_list("pk", flat=True))
    tags = []
    for resource_id in ids:
        for kind, values in FACETS.items():
            for value in rng.sample(list(values), k=min(2, len(values))):
                tags.append(ResourceTag(resource_id=resource_id, kind=kind, value=value))
    ResourceTag.objects.bulk_create(tags, batch_size=BATCH)
    files = ResourceFile.objects.bulk_create(
        [ResourceFile(resource_id=r, title="Teacher notes") for r in ids], batch_size=500
    )
    versions = FileVersion.objects.bulk_create(
        [
            FileVersion(
                file=f,
                number=1,
                stored=f"toolkit/bench-{f.resource_id}.pdf",
                filename=f"resource-{f.resource_id}.pdf",
                kind=FileVersion.Kind.PDF,
                content_type="application/pdf",
                size=250_000,
            )
            for f in files
        ],
        batch_size=500,
    )
    for f, v in zip(files, versions, strict=True):
        f.current_version = v
    ResourceFile.objects.bulk_update(files, ["current_version"], batch_size=500)
    clock.step("toolkit resources", len(ids), time.perf_counter() - started)

    version_for = {f.resource_id: v.pk for f, v in zip(files, versions, strict=True)}
    boroughs = list(LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).values_list("pk", flat=True))
    org_types = Download.OrganisationType.values
    step = datetime.timedelta(days=730) / max(downloads, 1)

    def rows():
        for n in range(downloads):
            resource_id = ids[min(int(rng.paretovariate(1.2)) - 1, len(ids) - 1)]
            yield Download(
                resource_id=resource_id,
                version_id=version_for[resource_id],
                organisation_type=rng.choice(org_types),
                borough_id=rng.choice(boroughs) if n % 3 else None,
                as_zip=n % 7 == 0,
                downloaded_at=EPOCH + step * n,
            )

    with without_auto_now(Download._meta.get_field("downloaded_at")):
        bulk(Download, rows(), downloads, clock, "toolkit downloads")


def make_referrals(count: int, rng: random.Random, clock: Clock) -> None:
    """Stepping Stones referrals, once the app has its models."""
    from django.apps import apps

    try:
        from bench import stepping_stones_rows
    except ImportError:
        stepping_stones_rows = None
    config = apps.get_app_config("stepping_stones")
    if not list(config.get_models()) or stepping_stones_rows is None:
        clock.cut.append(f"Stepping Stones referrals: 0 of {count:,} (the app has no models yet)")
        print("  Stepping Stones referrals     skipped: the app has no models yet", flush=True)
        return
    stepping_stones_rows.make(count, rng, clock, bulk)


def generate(args) -> Clock:
    from django.conf import settings
    from django.db import connection

    rng = random.Random(args.seed)
    counts = {name: max(1, round(value * args.scale)) for name, value in FULL.items()}
    counts["resources"] = max(20, counts["resources"])
    clock = Clock(args.time_limit)
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']}), scale {args.scale}", flush=True)
    if args.referrals_only:
        from django.core.management import call_command

        from stepping_stones.models import Cohort, ParticipatingSchool, Referral

        call_command("migrate", verbosity=0)
        Referral.objects.all().delete()
        ParticipatingSchool.objects.all().delete()
        Cohort.objects.all().delete()
        make_referrals(counts["referrals"], rng, clock)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return clock
    reset_database(args.database_url)
    date_migrated_rows()
    make_schools(counts["schools"], args.seed, clock)
    _, head = make_users(clock, counts["officers"])
    make_officers(counts["officers"], rng, clock)
    make_wand_requests(counts["wand_requests"], rng, clock, head)
    make_stock_movements(counts["stock_movements"], rng, clock)
    make_toolkit(counts["resources"], counts["downloads"], rng, clock)
    make_referrals(counts["referrals"], rng, clock)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # both engines: fresh statistics for the planner
    total = time.perf_counter() - clock.started
    print(f"Generated in {total:.0f} s" + (f"; cut short: {'; '.join(clock.cut)}" if clock.cut else ""), flush=True)
    return clock


def main(argv=None) -> None:
    args = parse_args(argv)
    setup_django(args.database_url, args.settings)
    generate(args)


if __name__ == "__main__":
    main()
