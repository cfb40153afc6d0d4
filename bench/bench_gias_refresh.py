"""Benchmark: the nightly refresh and applying successions, each against a bare baseline, ratios in the same run.

    .venv/bin/python bench/bench_gias_refresh.py [--schools 51000] [--links 40000] [--successions 50]
        [--repeat 2] [--database-url postgres://.../portal_bench_throwaway]

1. `gias_refresh --all-regions` of an England-sized generated extract plus a generated links file, when nothing has
   changed since the last refresh (it writes no school and no link: only its run record and audit entry), against
   parsing both files (decode, every row's values, every link): target <= 2x.
2. Applying N successions (each old school with a headteacher and a member of staff with a duty, an open and a
   delivered wand request, a named officer, a Stepping Stones participation with a feeder primary and a referral),
   with previews, locks, audit entries and undo records, against the bare UPDATEs that move the same rows (one
   `UPDATE ... SET school_id = CASE ...` per kind of record, no audit): target <= 2x. Run it on PostgreSQL.

Everything runs on a scratch SQLite database unless `--database-url` names a throwaway database (it is emptied).
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
LINK_TYPES_OTHER = ["Sixth Form Centre Link", "Merged - expansion of school capacity", "Merged - change in age range"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=51_000)
    parser.add_argument("--links", type=int, default=40_000)
    parser.add_argument("--successions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--successions-only", action="store_true", help="Skip the refresh part.")
    parser.add_argument("--database-url", help="A throwaway database (default: scratch SQLite in a temp folder).")
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schools_portal.settings.test")
    import django

    django.setup()


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def write_links(extract: Path, target: Path, *, count: int, seed: int = 1) -> int:
    """A links file for the extract: closed schools succeeded by open ones (both rows GIAS publishes), then other
    link types up to `count` rows."""
    rng = random.Random(seed)
    with extract.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    closed = [r["URN"] for r in rows if r["EstablishmentStatus (name)"] == "Closed"]
    open_ = [r["URN"] for r in rows if r["EstablishmentStatus (name)"] != "Closed"]
    links = []
    for old in closed:
        if len(links) + 2 > count * 0.9:
            break
        new = rng.choice(open_)
        links.append({"URN": old, "LinkURN": new, "LinkName": "", "LinkType": "Successor"})
        links.append({"URN": new, "LinkURN": old, "LinkName": "", "LinkType": "Predecessor"})
    while len(links) < count:
        a, b = rng.sample(open_, 2)
        links.append({"URN": a, "LinkURN": b, "LinkName": "", "LinkType": rng.choice(LINK_TYPES_OTHER)})
    with target.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"], lineterminator="\r\n"
        )
        writer.writeheader()
        for link in links:
            writer.writerow({**link, "LinkEstablishedDate": "01-09-2019"})
    return len(links)


def parse_both(extract: Path, links: Path) -> int:
    """The floor: decode and parse every row of both files (what any refresh must do), nothing else."""
    from schools.gias import read_gias_file
    from schools.gias_links import read_links_file
    from schools.models import LocalAuthority
    from schools.services import _noop_progress, _plan_rows

    parsed = read_gias_file(extract)
    plan = _plan_rows(
        extract=parsed,
        authorities=dict(LocalAuthority.objects.values_list("code", "area")),
        all_regions=True,
        progress=_noop_progress,
    )
    return len(plan.rows) + len(read_links_file(links).links)


def refresh(extract: Path, links: Path):
    from schools.refresh import gias_refresh_run

    return gias_refresh_run(extract_path=extract, links_path=links, all_regions=True, max_close_share=1.0)


def bench_refresh(args, folder: Path) -> float:
    from django.db import connection

    from schools.demo_generator import write_gias_file
    from schools.models import School, SchoolLink

    extract, links = folder / "edubasealldata_england.csv", folder / "links_edubasealldata_england.csv"
    write_gias_file(extract, schools=args.schools, all_regions=True, seed=1)
    link_rows = write_links(extract, links, count=args.links)
    print(f"Database: {connection.vendor}")
    print(f"England extract: {args.schools:,} rows; links file: {link_rows:,} rows")
    first_seconds, first = timed(lambda: refresh(extract, links))
    print(
        f"  first refresh (empty register): {first_seconds:.1f} s: {first.run.summary}, {first.run.links_added:,} links"
    )
    stamps = School.objects.order_by().values_list("updated_at").distinct().count()
    link_count = SchoolLink.objects.count()
    parse_times, refresh_times = [], []
    for _ in range(args.repeat):
        seconds, _ = timed(lambda: parse_both(extract, links))
        parse_times.append(seconds)
        seconds, again = timed(lambda: refresh(extract, links))
        refresh_times.append(seconds)
        assert again.run.created == again.run.updated == again.run.changes_queued == 0, again.run.summary
        assert (again.run.links_added, again.run.links_removed) == (0, 0)
    assert School.objects.order_by().values_list("updated_at").distinct().count() == stamps  # no school written
    assert SchoolLink.objects.count() == link_count
    parse, full = min(parse_times), min(refresh_times)
    ratio = full / parse
    print(f"| parse both files (best of {args.repeat}) | {parse:.2f} s |")
    print(f"| gias_refresh, nothing changed (best of {args.repeat}) | {full:.2f} s |")
    print(f"ratio refresh / parse: {ratio:.2f}x ({'within' if ratio <= TARGET_RATIO else 'OVER'} the 2x target)")
    return ratio


def make_conversions(count: int) -> list:
    """`count` successions waiting for review, each old school with what a succession moves: a headteacher and a
    member of staff with a duty, an approved and a delivered wand request, a named officer, a Stepping Stones
    participation with a feeder primary, and a referral to it. Plain ORM (shipped code never imports the tests'
    factories); URNs from 140000, as the test factories' (the generated register's are lower)."""
    import datetime
    import itertools

    from django.utils import timezone

    from accounts.models import SchoolDuty, SchoolMembership, User
    from officers.models import Assignment, Officer
    from schools.models import LocalAuthority, School, SchoolChange
    from stepping_stones.models import Cohort, ParticipatingSchool, Progress, Referral
    from stepping_stones.upn import upn_make
    from wands.models import WandRequest

    now = timezone.now()
    hackney = LocalAuthority.objects.select_related("bcu").get(code=204)
    cohort, _ = Cohort.objects.get_or_create(transition_year=2026, defaults={"ends_on": Cohort.default_ends_on(2026)})
    numbers = itertools.count(1)

    def school(phase=School.Phase.SECONDARY, type_name="Academy converter") -> School:
        urn = 140000 + next(numbers)
        return School.objects.create(
            urn=urn,
            name=f"Bench Academy {urn}",
            local_authority=hackney,
            type_name=type_name,
            phase=phase,
            status=School.Status.OPEN,
        )

    def person() -> User:
        n = next(numbers)
        return User.objects.create_user(f"succession-{n}@bench.invalid", full_name=f"Person {n}")

    def wand_request(old: School, **fields) -> WandRequest:
        return WandRequest.objects.create(
            school=old,
            quantity=2,
            contact_name="Site manager",
            contact_phone="020 7946 0000",
            delivery_address="1 School Lane\nLondon",
            delivery_postcode="E8 1AA",
            policy_confirmed=True,
            requested_by=person(),
            **fields,
        )

    changes = []
    for index in range(count):
        old, new = school(), school()
        SchoolMembership.objects.create(
            user=person(), school=old, role=SchoolMembership.Role.HEADTEACHER, granted_at=now
        )
        staff = SchoolMembership.objects.create(
            user=person(), school=old, role=SchoolMembership.Role.STAFF, granted_at=now
        )
        SchoolDuty.objects.create(membership=staff, duty=SchoolDuty.Duty.WAND_REQUESTS, granted_at=now)
        wand_request(old, status=WandRequest.Status.APPROVED, decided_at=now, reserved_at=now)
        wand_request(
            old,
            status=WandRequest.Status.DELIVERED,
            courier="Parcelforce",
            tracking_reference=f"PF{index:08d}",
            dispatched_at=now,
            delivered_at=now,
        )
        officer = Officer.objects.create(
            name=f"Officer {index}",
            shoulder_number=f"{1000 + index}CE",
            bcu=hackney.bcu,
            base_name="Stoke Newington police station",
            base_postcode="N16 8DS",
            base_latitude=51.56,
            base_longitude=-0.075,
            capacity=100,
            work_email=f"officer{index}@met.police.example",
            work_phone="020 7230 1212",
        )
        Assignment.objects.create(officer=officer, school=old, start_date=timezone.localdate(), weight=20)
        participation = ParticipatingSchool.objects.create(cohort=cohort, school=old, places=60)
        participation.feeder_primaries.set([school(School.Phase.PRIMARY, "Community school")])
        referral = Referral.objects.create(
            cohort=cohort,
            referring_school=school(School.Phase.PRIMARY, "Community school"),
            receiving_school=old,
            first_name=f"Benchpupil{index}",
            last_name="Fictional",
            date_of_birth=datetime.date(2015, 3, 15),  # in Year 6 for the 2026 transition
            upn=upn_make(f"204{index // 1000:04d}25{index % 1000:03d}"),
            strengths="Kind to others; loves football",
            known_by_name="Ms Example",
            known_by_role="Year 6 teacher",
            status=Referral.Status.SUBMITTED,
            submitted_at=now,
        )
        Progress.objects.get_or_create(referral=referral)
        changes.append(
            SchoolChange.objects.create(kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, found_at=now)
        )
    return changes


def bare_updates(changes) -> None:
    """The same rows moved with one bare UPDATE per kind of record: no preview, lock, audit or undo record."""
    from django.db import transaction

    from accounts.models import SchoolMembership
    from officers.models import Assignment
    from schools.models import School
    from schools.successions import reassign
    from stepping_stones.models import ParticipatingSchool, Referral
    from wands.models import WandRequest

    mapping = {c.school_id: c.successor_id for c in changes}
    with transaction.atomic():
        School.objects.filter(urn__in=mapping).update(status=School.Status.CLOSED)
        reassign(SchoolMembership.objects.filter(ended_at__isnull=True), "school_id", mapping)
        reassign(WandRequest.objects.filter(status__in=WandRequest.OPEN), "school_id", mapping)
        reassign(Assignment.objects.filter(end_date__isnull=True), "school_id", mapping)
        reassign(ParticipatingSchool.objects.all(), "school_id", mapping)
        reassign(Referral.objects.all(), "receiving_school_id", mapping)
        reassign(ParticipatingSchool.feeder_primaries.through.objects.all(), "school_id", mapping)
        transaction.set_rollback(True)


def one_update_per_record(changes) -> int:
    """The same rows moved with one bare UPDATE statement per moved record (the number of records moved)."""
    from django.db import connection, transaction

    from accounts.models import SchoolMembership
    from officers.models import Assignment
    from stepping_stones.models import ParticipatingSchool, Referral
    from wands.models import WandRequest

    mapping = {c.school_id: c.successor_id for c in changes}
    targets = [
        (SchoolMembership, "school_id", SchoolMembership.objects.filter(ended_at__isnull=True)),
        (WandRequest, "school_id", WandRequest.objects.filter(status__in=WandRequest.OPEN)),
        (Assignment, "school_id", Assignment.objects.filter(end_date__isnull=True)),
        (ParticipatingSchool, "school_id", ParticipatingSchool.objects.all()),
        (Referral, "receiving_school_id", Referral.objects.all()),
    ]
    rows = [
        (model, field, pk, mapping[old])
        for model, field, queryset in targets
        for pk, old in queryset.filter(**{f"{field}__in": list(mapping)}).values_list("pk", field)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, field, pk, new in rows:
            cursor.execute(f"UPDATE {model._meta.db_table} SET {field} = %s WHERE id = %s", [new, pk])  # noqa: S608
        transaction.set_rollback(True)
    return len(rows)


def bench_successions(args) -> float:
    from django.db import transaction

    from accounts.models import ProgrammeRole, User
    from schools.reviews import school_changes_apply

    admin = User.objects.create_user("succession-admin@bench.invalid", full_name="Bench Admin")
    ProgrammeRole.objects.create(user=admin, kind=ProgrammeRole.Kind.PROGRAMME_ADMIN)
    changes = make_conversions(args.successions)
    ids = [c.pk for c in changes]
    bare_times, apply_times, per_record_times = [], [], []
    records = 0
    for _ in range(args.repeat):
        seconds, _ = timed(lambda: bare_updates(changes))
        bare_times.append(seconds)
        seconds, records = timed(lambda: one_update_per_record(changes))
        per_record_times.append(seconds)

        def apply():
            with transaction.atomic():
                applied, _ = school_changes_apply(actor=admin, change_ids=ids)
                assert len(applied) == len(ids)
                transaction.set_rollback(True)

        seconds, _ = timed(apply)
        apply_times.append(seconds)
    bare, full, per_record = min(bare_times), min(apply_times), min(per_record_times)
    ratio = full / per_record
    print(f"| {records} bare UPDATEs, one per moved record | {per_record * 1000:.1f} ms |")
    print(f"| 7 bare UPDATEs, one per kind of record (CASE), the floor | {bare * 1000:.1f} ms |")
    print(f"| applying {args.successions} successions (previews, locks, audit, undo records) | {full * 1000:.1f} ms |")
    print(
        f"ratio apply / one UPDATE per record: {ratio:.2f}x ({'within' if ratio <= TARGET_RATIO else 'OVER'} the 2x "
        f"target); apply / the floor: {full / bare:.2f}x"
    )
    return ratio


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as folder:
        folder = Path(folder)
        setup_django(args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}")
        from django.core.management import call_command

        from schools.models import School, SchoolChange

        call_command("migrate", verbosity=0)
        if School.objects.exists() or SchoolChange.objects.exists():
            print("The database already has schools: use an empty, throwaway database.")
            sys.exit(1)
        # Successions first: the factories' URNs would clash with the generated register's.
        bench_successions(args)
        if not args.successions_only:
            bench_refresh(args, folder)


if __name__ == "__main__":
    main()
