"""Render the HTML list pages on a generated database and print their normalised HTML as JSON (name -> HTML).

    .venv/bin/python -m tests.bench.render_pages --database-url sqlite:////tmp/x.sqlite3 [--write DIR]

Used by tests/bench/test_same_rendering_templates.py on a tiny database made by `bench/generate_national.py` with its
fixed seed (its timestamps count from a fixed epoch, so the data is the same on every run). A few audit entries with
fixed times are added, and the clock is stopped at TODAY while rendering (the officers queue shows days waiting, the
activity column "this year"), so the pages render the same on every run and every day.

What is compared: the page's title, the back link's navigation and the main element (not the header's navigation or
the footer, which other work owns), with CSRF tokens and CSP nonces removed and whitespace collapsed.
"""

import argparse
import datetime
import json
import re
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ADMIN = "bench-admin@bench.invalid"
ALLOCATOR = "bench-allocator@bench.invalid"
COORDINATOR = "bench-coordinator@bench.invalid"
TODAY = datetime.date(2026, 9, 1)
AUDIT_AT = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)

# (name, user or None for a visitor, URL). Each list page of bench/bench_html.py, plus variants that take the other
# branches of the same templates (filters, a later page, an empty result, a visitor).
PAGES = [
    ("schools", ADMIN, "/schools/"),
    ("schools-filtered", ADMIN, "/schools/?borough=210&phase=secondary"),
    ("schools-page-2", ADMIN, "/schools/?page=2"),
    ("schools-search-none", ADMIN, "/schools/?q=zzzz-no-such-school"),
    ("schools-bad-filter", ADMIN, "/schools/?borough=9999"),
    ("schools-visitor", None, "/schools/?q=school&include_closed=on"),
    ("wands-queue", ADMIN, "/wands/queue/"),
    ("wands-queue-submitted", ADMIN, "/wands/queue/?status=submitted"),
    ("wands-queue-page-3", ADMIN, "/wands/queue/?page=3&sort=submitted"),
    ("wands-queue-bad-date", ADMIN, "/wands/queue/?submitted_from_day=40&submitted_from_month=1"),
    ("toolkit", ADMIN, "/toolkit/"),
    ("toolkit-visitor", None, "/toolkit/"),
    ("toolkit-search", ADMIN, "/toolkit/?q=knife&page=1"),
    ("toolkit-page-2", None, "/toolkit/?page=2"),
    ("officers-people", ALLOCATOR, "/officers/people/"),
    ("officers-queue", ALLOCATOR, "/officers/queue/"),
    ("officers-queue-days", ALLOCATOR, "/officers/queue/?sort=days&page=2"),
    ("referrals", COORDINATOR, "/stepping-stones/referrals/"),
    ("referrals-page-2", COORDINATOR, "/stepping-stones/referrals/?page=2"),
    ("audit", ADMIN, "/audit/"),
    ("audit-search", ADMIN, "/audit/?verb=wand_request"),
]

_TITLE = re.compile(r"<title>.*?</title>", re.S)
_BACK = re.compile(r'<nav aria-label="Back".*?</nav>', re.S)
_MAIN = re.compile(r'<main class="govuk-main-wrapper" id="main-content">.*</main>', re.S)
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_NONCE = re.compile(r'(nonce=")[^"]*(")')
_SPACE = re.compile(r"\s+")


def normalise(html: str) -> str:
    """The parts of the page the list templates make, with tokens removed and whitespace collapsed; one tag a line
    (after each `>`), so a difference reads as a short diff."""
    parts = []
    for pattern in (_TITLE, _BACK, _MAIN):
        found = pattern.search(html)
        parts.append(found.group(0) if found else "")
    text = "\n".join(parts)
    text = _CSRF.sub(r"\1-\2", text)
    text = _NONCE.sub(r"\1-\2", text)
    text = _SPACE.sub(" ", text)
    return text.replace(">", ">\n").strip() + "\n"


def add_audit_entries() -> None:
    """A few audit entries with fixed times (the generator makes none): states, reasons, a system entry."""
    from django.contrib.contenttypes.models import ContentType

    from bench.generate_national import without_auto_now
    from core.models import AuditEvent
    from wands.models import WandRequest

    if AuditEvent.objects.filter(request_id__startswith="render-pages-").exists():
        return
    wand_type = ContentType.objects.get_for_model(WandRequest)
    rows = []
    for n in range(30):
        rows.append(
            AuditEvent(
                created_at=AUDIT_AT + datetime.timedelta(hours=n),
                actor_label="" if n % 7 == 0 else f"Person {n % 4} <person{n % 4}@example.org>",
                verb=("wand_request.approved", "wand_request.submitted", "school.updated")[n % 3],
                target_type=wand_type,
                target_id=str(1000 + n),
                target_label=f"WR-{1000 + n} & <b>co</b>",
                from_state="submitted" if n % 3 == 0 else "",
                to_state="approved" if n % 3 == 0 else "",
                reason="Stock arrived" if n % 5 == 0 else "",
                request_id=f"render-pages-{n}",
            )
        )
    with without_auto_now(AuditEvent._meta.get_field("created_at")):
        AuditEvent.objects.bulk_create(rows)


def add_variety() -> None:
    """What the generator leaves out and the list templates show: restricted and updated toolkit resources, a
    resource with two files."""
    from education_toolkit.models import AccessLevel, FileVersion, Resource, ResourceFile

    if Resource.objects.filter(content_updated_at__isnull=False).exists():
        return
    resources = list(Resource.objects.order_by("slug")[:8])
    Resource.objects.filter(pk__in=[r.pk for r in resources[0:2]]).update(access_level=AccessLevel.REGISTERED)
    Resource.objects.filter(pk__in=[r.pk for r in resources[2:4]]).update(access_level=AccessLevel.VERIFIED)
    Resource.objects.filter(pk__in=[r.pk for r in resources[3:6]]).update(content_updated_at=AUDIT_AT)
    Resource.objects.filter(pk=resources[7].pk).update(duration_minutes=None)
    extra = ResourceFile.objects.create(resource=resources[5], title="Slides <for> pupils", position=1)
    version = FileVersion.objects.create(
        file=extra,
        number=1,
        stored="toolkit/render-pages.pptx",
        filename="slides.pptx",
        kind=FileVersion.Kind.PPTX,
        content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        size=3_500_000,
    )
    ResourceFile.objects.filter(pk=extra.pk).update(current_version=version)


def render_all() -> dict[str, str]:
    from bench.bench_api import ensure_coordinator
    from bench.measure import client_for

    ensure_coordinator()
    add_audit_entries()
    add_variety()
    clients = {}
    out = {}
    # The clock stopped at TODAY (localdate calls now): days waiting and "this year" render the same on any day.
    frozen_now = datetime.datetime.combine(TODAY, datetime.time(9, 30), tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", lambda: frozen_now):
        for name, user, url in PAGES:
            client = clients.setdefault(user, client_for(user))
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            out[name] = normalise(response.content.decode())
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--write", help="write each page's HTML to DIR/<name>.html instead of printing JSON")
    args = parser.parse_args(argv)
    from bench.measure import setup_django

    setup_django(args.database_url)
    pages = render_all()
    if args.write:
        folder = Path(args.write)
        folder.mkdir(parents=True, exist_ok=True)
        for name, html in pages.items():
            (folder / f"{name}.html").write_text(html)
    else:
        json.dump(pages, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
