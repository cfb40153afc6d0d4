"""HTML list pages against a bare template page with the same middleware, and where their time goes.

    .venv/bin/python bench/bench_html.py [--iterations 100] [--database-url URL] [--profile]

The floor is `bench/floor.html`: the service's base layout (header, navigation, footer) with an empty main, rendered
for the same signed-in user through the same middleware and context processors. Each list page's p50 is compared with
it, interleaved; `--profile` adds cProfile's top entries (own time) for each page and the share of time spent
rendering templates, in the ORM (SQL compile and execute, model instances) and in forms/filters.
No target in the issue: the ratio and the breakdown are reported.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, client_for, compare, cumulative, machine, profile, setup_django  # noqa: E402

ADMIN = "bench-admin@bench.invalid"
ALLOCATOR = "bench-allocator@bench.invalid"
COORDINATOR = "bench-coordinator@bench.invalid"  # made by bench_api.ensure_coordinator when missing
FLOOR = "/bench/floor/page/"
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
    (
        "insights map (officer cover, secondary schools)",
        ADMIN,
        "/insights/?measure=officer_cover_percent&phase=secondary",
    ),
    ("open figures (anonymous)", None, "/figures"),
]
GROUPS = {
    "template rendering": ("django/template/base.py:render",),
    "SQL execute": ("django/db/backends/utils.py:execute",),
    "SQL compile": ("django/db/models/sql/compiler.py:as_sql",),
    "model instances": ("django/db/models/base.py:from_db",),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from bench.bench_api import ensure_coordinator

    ensure_coordinator()
    print(f"Machine: {machine()}")
    print(f"Iterations: {args.iterations}, interleaved with the floor page, p50 of each\n")
    print("| page | page p50 ms | floor p50 ms | ratio | queries |")
    print("|---|---|---|---|---|")
    from django.db import connection

    for name, user, url in PAGES:
        client = client_for(user)
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url)  # (request_started resets connection.queries: count through a wrapper instead)
        page_t, floor_t = compare(client, [url, FLOOR], args.iterations)
        print(
            f"| {name} | {page_t.p50 * 1000:.1f} | {floor_t.p50 * 1000:.1f} | **{page_t.p50 / floor_t.p50:.2f}x** "
            f"| {len(queries)} |",
            flush=True,
        )
        if args.profile:
            shares = cumulative(client, url, max(args.iterations // 5, 5), GROUPS)
            where = ", ".join(f"{group} {share:.0%}" for group, share in shares.items())
            print(f"\n`{url}`: {where}\n\n```\n{profile(client, url, max(args.iterations // 5, 5))}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
