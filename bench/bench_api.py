"""API lists against their floors, and cursor pages deep against first, on the generated national database.

    .venv/bin/python bench/generate_national.py            # once
    .venv/bin/python bench/bench_api.py [--iterations 300] [--database-url URL] [--profile]

Each API list endpoint is timed against its floor (bench/urls.py: the same rows from a `.values()` query through the
same selector, a bare JsonResponse, the same middleware), both through Django's test client with a signed-in user,
interleaved, `--iterations` rounds. Prints p50 ratio (target <= 1.5x) and throughput ratio (target >= 0.7x), then the
deepest cursor page against the first (target <= 1.2x) and, for information, page-number pagination deep in the
register. Exit status 1 if a target is missed (with `--strict`).
"""

import argparse
import base64
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, client_for, compare, machine, profile, setup_django  # noqa: E402

P50_TARGET, THROUGHPUT_TARGET, DEPTH_TARGET = 1.5, 0.7, 1.2
ADMIN = "bench-admin@bench.invalid"
HEAD = "bench-head@bench.invalid"
ALLOCATOR = "bench-allocator@bench.invalid"  # made by generate_national.py: police allocator for all London
COORDINATOR = "bench-coordinator@bench.invalid"  # made here if missing: Stepping Stones coordinator (every referral)

# (name, user, API list, its floor)
LISTS = [
    ("schools (public register)", None, "/api/v1/schools/", "/bench/floor/schools/"),
    ("wand requests (programme admin)", ADMIN, "/api/v1/wands/requests/", "/bench/floor/wand-requests/"),
    ("wand requests (headteacher)", HEAD, "/api/v1/wands/requests/", "/bench/floor/wand-requests/"),
    ("stock movements", ADMIN, "/api/v1/wands/stock/movements/", "/bench/floor/stock-movements/"),
    ("toolkit resources", None, "/api/v1/toolkit/resources/", "/bench/floor/toolkit-resources/"),
    ("officers (all-London allocator)", ALLOCATOR, "/api/v1/officers/officers/", "/bench/floor/officers/"),
    ("officers queue (all-London allocator)", ALLOCATOR, "/api/v1/officers/queue/", "/bench/floor/officers-queue/"),
    (
        "Stepping Stones referrals (coordinator)",
        COORDINATOR,
        "/api/v1/stepping-stones/referrals/",
        "/bench/floor/referrals/",
    ),
]


def ensure_coordinator() -> None:
    """The Stepping Stones coordinator, made the way generate_national.py makes its users (TOTP set up) when the
    database predates it; idempotent."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from accounts.models import ProgrammeRole, User
    from bench.generate_national import PASSWORD, TOTP_SECRET

    user, created = User.objects.get_or_create(
        email=COORDINATOR, defaults={"full_name": "Bench Coordinator", "password": make_password(PASSWORD)}
    )
    kind = ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR
    if not ProgrammeRole.objects.current().filter(user=user, kind=kind).exists():
        ProgrammeRole.objects.create(user=user, kind=kind)
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, TOTP_SECRET)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile's top entries for each API list")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", help="only the lists whose name contains this")
    return parser.parse_args(argv)


def cursor_for(position: str) -> str:
    """DRF's CursorPagination cursor for the rows after `position` (its encoding: base64 of a query string)."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def deep_cursor_url(model, path: str, field: str = "created_at", page: int = 50) -> tuple[str, int]:
    """The last page of a `-created_at` cursor list: the cursor positioned just before its last `page` rows."""
    total = model.objects.count()
    row = model.objects.order_by(f"-{field}").values_list(field, flat=True)[max(total - page - 1, 0)]
    return f"{path}?cursor={cursor_for(str(row))}", total


def run(args) -> list[tuple[str, float, str]]:
    from wands.models import StockMovement, WandRequest

    results: list[tuple[str, float, str]] = []  # (what, value, verdict)
    ensure_coordinator()
    print(f"Machine: {machine()}")
    print(f"Iterations: {args.iterations}, interleaved, p50 of each\n")
    print(
        "| API list | API p50 ms | floor p50 ms | p50 ratio (<= 1.5x) | API req/s | floor req/s "
        "| throughput ratio (>= 0.7x) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, user, api, floor in LISTS:
        if args.only and args.only not in name:
            continue
        client = client_for(user)
        api_t, floor_t = compare(client, [api, floor], args.iterations)
        p50 = api_t.p50 / floor_t.p50
        throughput = api_t.throughput / floor_t.throughput
        ok = p50 <= P50_TARGET and throughput >= THROUGHPUT_TARGET
        results.append((f"{name} p50 ratio", p50, "ok" if p50 <= P50_TARGET else "MISSED"))
        results.append((f"{name} throughput ratio", throughput, "ok" if throughput >= THROUGHPUT_TARGET else "MISSED"))
        print(
            f"| {name} | {api_t.p50 * 1000:.2f} | {floor_t.p50 * 1000:.2f} | **{p50:.2f}x**{'' if ok else ' MISSED'} "
            f"| {api_t.throughput:.0f} | {floor_t.throughput:.0f} | **{throughput:.2f}x** |",
            flush=True,
        )
        if args.profile:
            print(f"\n<details><summary>cProfile {api}</summary>\n\n```\n{profile(client, api, 50)}\n```\n</details>\n")

    print("\n| cursor list | rows | first page p50 ms | deepest page p50 ms | deep / first (<= 1.2x) |")
    print("|---|---|---|---|---|")
    admin = client_for(ADMIN)
    for name, model, path in [
        ("wand requests", WandRequest, "/api/v1/wands/requests/"),
        ("stock movements", StockMovement, "/api/v1/wands/stock/movements/"),
    ]:
        deep, total = deep_cursor_url(model, path)
        response = admin.get(deep)
        count = len(response.json()["results"])
        first_t, deep_t = compare(admin, [path, deep], max(args.iterations // 2, 5))
        ratio = deep_t.p50 / first_t.p50
        results.append((f"{name} deepest / first cursor page", ratio, "ok" if ratio <= DEPTH_TARGET else "MISSED"))
        print(
            f"| {name} | {total:,} (last page: {count} rows) | {first_t.p50 * 1000:.2f} | {deep_t.p50 * 1000:.2f} "
            f"| **{ratio:.2f}x** |",
            flush=True,
        )

    from schools.models import School

    open_schools = School.objects.exclude(status=School.Status.CLOSED).count()
    last = max(open_schools // 50, 1)
    anon = client_for(None)
    first_t, deep_t = compare(anon, ["/api/v1/schools/", f"/api/v1/schools/?page={last}"], max(args.iterations // 2, 5))
    print(
        f"\nFor information, page numbers (the public register, {open_schools:,} open schools): page {last} p50 "
        f"{deep_t.p50 * 1000:.2f} ms vs page 1 {first_t.p50 * 1000:.2f} ms: {deep_t.p50 / first_t.p50:.2f}x"
    )
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    results = run(args)
    missed = [r for r in results if r[2] != "ok"]
    print(f"\nTargets: {len(results) - len(missed)} met, {len(missed)} missed")
    for what, value, _ in missed:
        print(f"  MISSED {what}: {value:.2f}x")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
