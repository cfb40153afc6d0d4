"""What a signed-in person pays on every page: the bare page (bench/floor.html, the service layout with an empty main)
signed in against the same page anonymous, through the whole middleware stack, interleaved.

    .venv/bin/python bench/bench_signed_in.py [--iterations 300] [--database-url URL] [--profile] [--strict]

For each benchmark user (a programme admin, a headteacher, a police allocator, a Stepping Stones coordinator) it prints
the p50 of the signed-in bare page against the anonymous one (target <= 1.5x, issue 22), the throughput ratio
(in-process requests/s, for information: the HTTP target, >= 0.67x, is bench/bench_load.sh's `floor-anonymous` and
`floor-signed-in` pair), the p50 ratio of the CPU time each request used (process time: what the machine's load
changes least, for information) and the queries of each, counted on a warm request (the session and the per-user
caches filled, as on every page after the first). `--profile` adds cProfile's top entries (cumulative) of the
signed-in page.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, Timing, client_for, fetch, machine, setup_django  # noqa: E402

P50_TARGET = 1.5
FLOOR = "/bench/floor/page/"
USERS = [
    ("programme admin", "bench-admin@bench.invalid"),
    ("headteacher", "bench-head@bench.invalid"),
    ("police allocator (all London)", "bench-allocator@bench.invalid"),
    ("Stepping Stones coordinator", "bench-coordinator@bench.invalid"),  # made by bench_api.ensure_coordinator
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile's top entries of the signed-in page")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the p50 target is missed")
    parser.add_argument("--only", help="only the users whose description contains this")
    return parser.parse_args(argv)


def queries_of(client, url: str) -> list[str]:
    """The SQL of one warm request (counted through a wrapper: request_started resets connection.queries)."""
    from django.db import connection

    fetch(client, url)  # warm: the session, the per-user caches (the first page of the day marks the account seen,
    fetch(client, url)  # a write, so the next one reads the account again)
    queries: list[str] = []

    def count(execute, sql, *rest):
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        fetch(client, url)
    return queries


def profile_cumulative(client, url: str, iterations: int, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        fetch(client, url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start : start + top + 1])


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from bench.bench_api import ensure_coordinator

    ensure_coordinator()
    print(f"Machine: {machine()}")
    print(f"Iterations: {args.iterations}, the signed-in bare page interleaved with the anonymous one, p50 of each\n")
    print(
        "| signed in as | anonymous p50 ms | signed-in p50 ms | p50 ratio | req/s ratio | CPU-time p50 ratio "
        "| queries anonymous | queries signed in |"
    )
    print("|---|---|---|---|---|---|---|---|")
    missed = []
    anonymous = client_for(None)
    anonymous_queries = len(queries_of(anonymous, FLOOR))
    for name, email in USERS:
        if args.only and args.only not in name:
            continue
        signed_in = client_for(email)
        signed_in_queries = queries_of(signed_in, FLOOR)
        timings = {"anonymous": Timing([]), "signed in": Timing([])}
        cpu = {"anonymous": Timing([]), "signed in": Timing([])}
        for round_number in range(args.iterations):  # interleaved, alternating who goes first
            order = [("anonymous", anonymous), ("signed in", signed_in)]
            for key, client in order if round_number % 2 == 0 else reversed(order):
                started, started_cpu = time.perf_counter(), time.process_time()
                fetch(client, FLOOR)
                timings[key].seconds.append(time.perf_counter() - started)
                cpu[key].seconds.append(time.process_time() - started_cpu)
        anon_t, signed_t = timings["anonymous"], timings["signed in"]
        ratio = signed_t.p50 / anon_t.p50
        throughput = signed_t.throughput / anon_t.throughput
        if ratio > P50_TARGET:
            missed.append(name)
        cpu_ratio = cpu["signed in"].p50 / cpu["anonymous"].p50
        print(
            f"| {name} | {anon_t.p50 * 1000:.2f} | {signed_t.p50 * 1000:.2f} | **{ratio:.2f}x** | {throughput:.2f}x "
            f"| {cpu_ratio:.2f}x | {anonymous_queries} | {len(signed_in_queries)} |",
            flush=True,
        )
        if args.profile:
            print(f"\nThe signed-in bare page as {name}, its queries:\n")
            for sql in signed_in_queries:
                print(f"- `{sql[:160]}`")
            print(f"\n```\n{profile_cumulative(signed_in, FLOOR, max(args.iterations // 3, 5))}\n```\n")
    print(f"\nTarget: the signed-in bare page's p50 <= {P50_TARGET}x the anonymous one's.")
    if missed:
        print(f"Missed for: {', '.join(missed)}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
