"""HTML pages against a bare template page with the same middleware, and where their time goes.

    .venv/bin/python bench/bench_html.py [--iterations 100] [--database-url URL] [--profile] [--only TEXT]

The floor is `bench/floor.html`: the service's base layout (header, navigation, footer) with an empty main, rendered
for the same user (or anonymously, for the public pages) through the same middleware and context processors. Each
page's p50 is compared with its own user's floor, interleaved; the signed-in floor is also compared with the anonymous
one (what every signed-in page pays for navigation, tasks, permission checks and the session). `--profile` adds
cProfile's top entries (own time) for each page and the share of time spent rendering templates, in the ORM (SQL
compile and execute, model instances) and in forms/filters.

PAGES is every HTML list page of the service plus the dashboards (the insights dashboard, its map coloured by another
measure, a school's profile): tests/bench/test_same_rendering.py renders each of them as the same user and checks
they show the same text, links, form fields and table cells as its snapshots. Issue 22's targets: every list page
<= 2x its floor, the signed-in floor <= 1.5x the anonymous one. Users come from bench/generate_national.py; those it
does not make (coordinator, toolkit editor, fulfilment staff) are added here when missing (idempotent).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, client_for, compare, cumulative, machine, profile, setup_django  # noqa: E402

ADMIN = "bench-admin@bench.invalid"
HEAD = "bench-head@bench.invalid"
ALLOCATOR = "bench-allocator@bench.invalid"
COORDINATOR = "bench-coordinator@bench.invalid"  # made by bench_api.ensure_coordinator when missing
EDITOR = "bench-editor@bench.invalid"  # made here when missing: toolkit editor
FULFILMENT = "bench-fulfilment@bench.invalid"  # made here when missing: wand fulfilment staff
ANONYMOUS = None
FLOOR = "/bench/floor/page/"
# (name, user, URL). `{head_urn}`: the headteacher's school; `{profile_urn}`: the London school with the most wand
# requests (see `resolve`).
PAGES = [
    ("Find a school (page 1)", ADMIN, "/schools/"),
    ("Find a school, filtered (a borough, secondary)", ADMIN, "/schools/?borough=210&phase=secondary"),
    ("wand queue (500,000 requests, page 1)", ADMIN, "/wands/queue/"),
    ("wand queue filtered (submitted)", ADMIN, "/wands/queue/?status=submitted"),
    ("toolkit catalogue", ADMIN, "/toolkit/"),
    ("officers list (3,000 officers)", ALLOCATOR, "/officers/people/"),
    ("officers queue (schools without an officer)", ALLOCATOR, "/officers/queue/"),
    ("Stepping Stones referrals (100,000, coordinator)", COORDINATOR, "/stepping-stones/referrals/"),
    ("audit log (programme admin)", ADMIN, "/audit/"),
    ("insights dashboard (all London)", ADMIN, "/insights/"),
    # Public pages, anonymous (compared with the anonymous floor).
    ("Find a school (anonymous)", ANONYMOUS, "/schools/"),
    ("toolkit catalogue (anonymous)", ANONYMOUS, "/toolkit/"),
    ("open figures (anonymous)", ANONYMOUS, "/figures"),
    # Dashboards.
    ("insights map (coloured by officer cover)", ADMIN, "/insights/?measure=officer_cover_percent"),
    ("insights dashboard (allocator)", ALLOCATOR, "/insights/"),
    ("insights school profile", ADMIN, "/insights/schools/{profile_urn}/"),
    ("insights: find a school's profile", ADMIN, "/insights/schools/"),
    ("wands dashboard", ADMIN, "/wands/dashboard/"),
    ("Stepping Stones dashboard", COORDINATOR, "/stepping-stones/dashboard/"),
    # Schools and wands.
    ("school register changes (programme admin)", ADMIN, "/schools/changes/"),
    ("wand stock movements", ADMIN, "/wands/stock/"),
    ("wand returns (fulfilment)", FULFILMENT, "/wands/returns/"),
    ("a school's own wand requests (headteacher)", HEAD, "/wands/"),
    # Officers.
    ("officers coverage by BCU", ALLOCATOR, "/officers/coverage/"),
    ("named officer (headteacher)", HEAD, "/officers/named-officer/"),
    # Stepping Stones.
    ("Stepping Stones pending referrals", COORDINATOR, "/stepping-stones/pending/"),
    ("Stepping Stones possible duplicates", COORDINATOR, "/stepping-stones/duplicates/"),
    ("Stepping Stones cohorts", COORDINATOR, "/stepping-stones/cohorts/"),
    ("Stepping Stones needs", COORDINATOR, "/stepping-stones/needs/"),
    # Toolkit.
    ("toolkit editor list", EDITOR, "/toolkit/editor/"),
    # People, organisations, API clients, updates.
    ("my schools (headteacher)", HEAD, "/my-schools/"),
    ("a school's people (headteacher)", HEAD, "/schools/{head_urn}/people/"),
    ("invitations", ADMIN, "/invitations/"),
    ("programme and police roles", ADMIN, "/roles/"),
    ("schools without a headteacher", ADMIN, "/schools-without-headteacher/"),
    ("access reviews", ADMIN, "/access-reviews/"),
    ("organisations", ADMIN, "/organisations/"),
    ("API clients", ADMIN, "/api-clients/"),
    ("updates sign-ups (admin)", ADMIN, "/updates/admin"),
]
GROUPS = {
    "template rendering": ("django/template/base.py:render",),
    "SQL execute": ("django/db/backends/utils.py:execute",),
    "SQL compile": ("django/db/models/sql/compiler.py:as_sql",),
    "model instances": ("django/db/models/base.py:from_db",),
}


def ensure_users() -> None:
    """The benchmark users generate_national.py does not make, made the same way (TOTP set up); idempotent."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from accounts.models import ProgrammeRole, User
    from bench.bench_api import ensure_coordinator
    from bench.generate_national import PASSWORD, TOTP_SECRET

    ensure_coordinator()
    for email, name, kind in (
        (EDITOR, "Bench Editor", ProgrammeRole.Kind.TOOLKIT_EDITOR),
        (FULFILMENT, "Bench Fulfilment", ProgrammeRole.Kind.FULFILMENT_STAFF),
    ):
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "password": make_password(PASSWORD)}
        )
        if not ProgrammeRole.objects.current().filter(user=user, kind=kind).exists():
            ProgrammeRole.objects.create(user=user, kind=kind)
        if not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, TOTP_SECRET)


def placeholders() -> dict[str, int]:
    """`head_urn`: the headteacher's school; `profile_urn`: the open London school with the most wand requests (the
    lowest URN among equals)."""
    from django.db.models import Count

    from accounts.models import SchoolMembership
    from schools.models import LocalAuthority, School

    head_urn = SchoolMembership.objects.filter(user__email=HEAD).order_by("pk").values_list("school_id", flat=True)[0]
    profile_urn = (
        School.objects.exclude(status=School.Status.CLOSED)
        .exclude(local_authority__area=LocalAuthority.Area.OUTSIDE)
        .annotate(requests=Count("wand_requests"))
        .order_by("-requests", "urn")
        .values_list("urn", flat=True)[0]
    )
    return {"head_urn": head_urn, "profile_urn": profile_urn}


def resolve(url: str, values: dict[str, int]) -> str:
    return url.format(**values)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", help="only the pages whose name contains this")
    return parser.parse_args(argv)


def bare_pages(iterations: int) -> tuple[float, float]:
    """The floor anonymous and signed in as the programme admin, interleaved: p50 of each (seconds)."""
    from bench.measure import fetch

    clients = [client_for(ANONYMOUS), client_for(ADMIN)]
    for client in clients:
        for _ in range(min(3, iterations)):
            fetch(client, FLOOR)
    seconds: list[list[float]] = [[], []]
    for round_number in range(iterations):
        for index in (0, 1) if round_number % 2 == 0 else (1, 0):
            started = time.perf_counter()
            fetch(clients[index], FLOOR)
            seconds[index].append(time.perf_counter() - started)
    return statistics.median(seconds[0]), statistics.median(seconds[1])


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    ensure_users()
    values = placeholders()
    print(f"Machine: {machine()}")
    print(f"Iterations: {args.iterations}, interleaved with the floor page of the same user, p50 of each\n")
    anonymous, signed_in = bare_pages(args.iterations)
    print("| bare page | anonymous p50 ms | signed in (programme admin) p50 ms | signed in / anonymous |")
    print("|---|---|---|---|")
    print(f"| `{FLOOR}` | {anonymous * 1000:.1f} | {signed_in * 1000:.1f} | **{signed_in / anonymous:.2f}x** |\n")
    print("| page | user | page p50 ms | floor p50 ms | ratio | queries |")
    print("|---|---|---|---|---|---|")
    from django.db import connection

    for name, user, url in PAGES:
        if args.only and args.only.lower() not in name.lower():
            continue
        url = resolve(url, values)
        client = client_for(user)
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url)  # (request_started resets connection.queries: count through a wrapper instead)
        page_t, floor_t = compare(client, [url, FLOOR], args.iterations)
        who = user.split("@")[0].removeprefix("bench-") if user else "anonymous"
        print(
            f"| {name} `{url}` | {who} | {page_t.p50 * 1000:.1f} | {floor_t.p50 * 1000:.1f} "
            f"| **{page_t.p50 / floor_t.p50:.2f}x** | {len(queries)} |",
            flush=True,
        )
        if args.profile:
            shares = cumulative(client, url, max(args.iterations // 5, 5), GROUPS)
            where = ", ".join(f"{group} {share:.0%}" for group, share in shares.items())
            print(f"\n`{url}`: {where}\n\n```\n{profile(client, url, max(args.iterations // 5, 5))}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
