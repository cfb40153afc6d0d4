"""Render the figure pages and save normalised copies, to compare before and after a change (not a test).

    DJANGO_SETTINGS_MODULE=schools_portal.settings.local DATABASE_URL=sqlite:////tmp/demo.sqlite3 \
        .venv/bin/python tests/insights/snapshot_pages.py OUT_DIR
    diff -r BEFORE_DIR AFTER_DIR

Run it on a copy of a database loaded with `manage.py seed_demo`. Pages: the insights dashboard (every measure, every
phase, a BCU filter) as a programme admin, a coordinator and an allocator; the map API; school profiles; the open
figures (HTML, JSON, every CSV); a borough's schools (the own-borough API's selector). CSRF tokens, nonces and the
"as of" times are stripped.
"""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schools_portal.settings.local")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts.demo import demo_email  # noqa: E402
from accounts.models import User  # noqa: E402

NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r"as of [^<\n]*"), "as of TIME"),
    (re.compile(r'"as_of": ?"[^"]*"'), '"as_of": "TIME"'),
    (re.compile(r"<time[^>]*>[^<]*</time>"), "<time>TIME</time>"),
    (re.compile(r"\d{1,2}:\d{2}(am|pm|\s?[ap]\.m\.)"), "H:MM"),
]


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def client_for(local: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=demo_email(local)))
    session = client.session
    # The demo users have two-factor: mark the session as having passed it (as tests/conftest.py does).
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    user = User.objects.get(email=demo_email(local))
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": 0, "email": user.email},
        {"method": "mfa", "at": 0, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def main(out: Path) -> None:
    from django.conf import settings
    from django.core.cache import cache

    from insights import selectors as insights_selectors
    from insights.selectors import MEASURES, PHASE_GROUPS
    from officers.models import Assignment
    from public.selectors import OPEN_DATASETS
    from schools.models import BasicCommandUnit, School
    from wands.models import WandRequest

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    cache.clear()
    out.mkdir(parents=True, exist_ok=True)
    pages: dict[str, tuple[Client, str]] = {}
    admin, coordinator, allocator = client_for("programme-admin"), client_for("stepping-stones-coordinator"), None
    allocator = client_for("police-allocator")
    head = client_for("headteacher")
    anonymous = Client()
    for who, client in (("admin", admin), ("coordinator", coordinator), ("allocator", allocator)):
        pages[f"dashboard-{who}"] = (client, "/insights/")
        for key in MEASURES:
            pages[f"dashboard-{who}-{key}"] = (client, f"/insights/?measure={key}")
            pages[f"map-api-{who}-{key}"] = (client, f"/api/v1/insights/map/?measure={key}")
        for phase in PHASE_GROUPS:
            pages[f"dashboard-{who}-{phase}"] = (client, f"/insights/?phase={phase}")
        pages[f"dashboard-api-{who}"] = (client, "/api/v1/insights/dashboard/")
    for bcu in BasicCommandUnit.objects.order_by("slug")[:3]:
        pages[f"dashboard-admin-bcu-{bcu.slug}"] = (admin, f"/insights/?bcu={bcu.slug}&measure=wands_delivered")
    schools = set(WandRequest.objects.order_by("school_id").values_list("school_id", flat=True).distinct()[:6])
    schools |= set(Assignment.objects.order_by("school_id").values_list("school_id", flat=True).distinct()[:6])
    schools |= set(School.objects.filter(local_authority_id=204).order_by("urn").values_list("urn", flat=True)[:4])
    for urn in sorted(schools):
        pages[f"profile-admin-{urn}"] = (admin, f"/insights/schools/{urn}/")
        pages[f"profile-coordinator-{urn}"] = (coordinator, f"/insights/schools/{urn}/")
        pages[f"profile-api-admin-{urn}"] = (admin, f"/api/v1/insights/schools/{urn}/")
    for urn in sorted(schools)[:4]:
        pages[f"profile-head-{urn}"] = (head, f"/insights/schools/{urn}/")
    pages["figures"] = (anonymous, "/figures")
    pages["figures-api"] = (anonymous, "/api/v1/open/figures/")
    for name in OPEN_DATASETS:
        pages[f"figures-csv-{name}"] = (anonymous, f"/api/v1/open/figures/{name}.csv")
    for name, (client, url) in pages.items():
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = f"{response.status_code}\n" + normalise(body.decode())
        (out / f"{name}.txt").write_text(text)
    for code in (201, 204, 210, 320):
        figures = insights_selectors.borough_school_figures(la_code=code)
        figures.pop("as_of", None)
        (out / f"own-borough-{code}.json").write_text(json.dumps(figures, indent=1, sort_keys=True, default=str))
    print(f"{len(pages) + 4} renderings in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
