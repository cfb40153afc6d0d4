"""Sign-up time for a registered email against a new one, with the production password hasher (issue 17, finding 3).

    .venv/bin/python bench/bench_signup_timing.py [--database-url URL] [--iterations 40]

Target: the two answer in the same time (ratio of medians within 1.2x either way), so the time says nothing about
whether an address has an account. Each round posts the sign-up form twice through the whole middleware stack (a
fresh client each time): once with the address of an existing, verified account and once with a new address,
alternating which goes first. Settings are the benchmark's with production's hashers (argon2 first) and production's
task backend (the database: an email is a queued row, as in production); allauth's rate limits are off so that
hundreds of sign-ups in a minute measure the work, not the limit.

A second row runs the same with the registered-address path's password hash switched off: the gap it shows is what
the probe measured (the emails were also sent inside the request then, which adds the SMTP round trip on top).
Accounts, addresses and queued emails the run made are deleted at the end.
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import DEFAULT_DATABASE, machine, setup_django  # noqa: E402

TARGET = 1.2
PASSWORD = "bench-signup-passphrase-42"
EXISTING = "bench-signup-existing@bench.invalid"
NEW_PREFIX = "bench-signup-new-"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--iterations", type=int, default=40)
    return parser.parse_args(argv)


def sign_up(email: str) -> float:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    started = time.perf_counter()
    response = client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    seconds = time.perf_counter() - started
    if response.status_code != 302 or response["Location"] != reverse("account_email_verification_sent"):
        raise RuntimeError(f"sign-up answered {response.status_code} {response.content[:300]!r}")
    return seconds


def measure(iterations: int) -> tuple[list[float], list[float]]:
    existing, new = [], []
    for _ in range(min(3, iterations)):  # warm-up: imports, templates, the password validators' word list
        sign_up(EXISTING)
        sign_up(f"{NEW_PREFIX}{uuid.uuid4().hex}@bench.invalid")
    for round_number in range(iterations):
        pair = [
            (existing, EXISTING),
            (new, f"{NEW_PREFIX}{uuid.uuid4().hex}@bench.invalid"),
        ]
        for times, email in pair if round_number % 2 == 0 else reversed(pair):
            times.append(sign_up(email))
    return existing, new


def ensure_existing_account() -> None:
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.filter(email=EXISTING).first()
    if user is None:
        user = User.objects.create_user(email=EXISTING, password=PASSWORD)
    EmailAddress.objects.update_or_create(user=user, email=EXISTING, defaults={"verified": True, "primary": True})


def clean_up(started_at) -> None:
    from allauth.account.models import EmailAddress
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User

    DBTaskResult.objects.filter(enqueued_at__gte=started_at, task_path__endswith="email_deliver").delete()
    EmailAddress.objects.filter(email__startswith=NEW_PREFIX).delete()
    User.objects.filter(email__startswith=NEW_PREFIX).delete()


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url, settings="bench.settings_signup")
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher
    from django.utils import timezone

    started_at = timezone.now()
    ensure_existing_account()
    print(f"Machine: {machine()}")
    print(f"Hasher: {get_hasher('default').algorithm}; tasks: {settings.TASKS['default']['BACKEND']}\n")
    print("| case | registered p50 | new p50 | registered p95 | new p95 | new / registered (p50) |")
    print("|---|---|---|---|---|---|")
    try:
        rows = [("as built: both paths hash, both queue one email", measure(args.iterations))]
        with mock.patch("accounts.identity.forms.make_password"):
            rows.append(("registered path without its hash (before the fix)", measure(args.iterations)))
    finally:
        clean_up(started_at)
    results = []
    for name, (existing, new) in rows:
        ratio = statistics.median(new) / statistics.median(existing)
        results.append(ratio)
        p95 = [sorted(times)[min(len(times) - 1, round(0.95 * (len(times) - 1)))] for times in (existing, new)]
        print(
            f"| {name} | {statistics.median(existing) * 1000:.1f} ms | {statistics.median(new) * 1000:.1f} ms "
            f"| {p95[0] * 1000:.1f} ms | {p95[1] * 1000:.1f} ms | **{ratio:.2f}x** |"
        )
    within = 1 / TARGET <= results[0] <= TARGET
    print(f"\nTarget: the two within {TARGET}x of each other as built: {'met' if within else 'NOT met'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
