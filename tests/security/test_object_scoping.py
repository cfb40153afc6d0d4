"""Every URL that names an object in its path, HTML and API, probed by users in another school, BCU or organisation:
the answer is the one a made-up object gets (404, or the role's 403 before any lookup), never a page, and nothing in
the database changes, whatever the method.

The objects come from the access matrix's own builders (every app declares a row per URL name, with a `kwargs`
builder for URLs that take an object), so a new object URL is probed as soon as its row exists.
"""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.access import UNDECLARED_NAMESPACES, collect_rows
from tests.access import url_kwargs

from .probes import OTHER_SCOPE_USERS, changed_tables, database_snapshot

pytestmark = pytest.mark.django_db

# Objects anyone may read by design: the schools register, toolkit items (public or for every verified organisation),
# an invitation reached by its secret token.
PUBLIC_OBJECT_URLS = {
    "schools:detail",
    "api-schools-detail",
    "toolkit:resource",
    "toolkit:download_selected",
    "toolkit:updates",
    "toolkit:delivery_report",
    "toolkit:download_file",
    "toolkit-api:resource",
    "toolkit-api:resource-zip",
    "toolkit-api:file-download",
    "public-api:figures-csv",  # open data
}
METHODS = ["get", "post", "put", "patch", "delete"]
# What an attacker would send: fields that move state, quantities, owners, schools.
PAYLOAD = {
    "status": "approved",
    "quantity": "999",
    "reason": "Probe from another scope",
    "note": "Probe",
    "decision": "approve",
    "confirm": "yes",
    "school": "100000",
    "school_urn": "100000",
    "owner": "1",
    "duties": ["wand_requests", "stepping_stones_lead"],
    "end_reason": "Probe",
    "courier": "Probe",
    "tracking_reference": "PROBE",
    "working": True,
}


def _url_names_with_object_kwargs(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in UNDECLARED_NAMESPACES:
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names_with_object_kwargs(pattern, ns)
        # Named groups cover path converters and the API router's regex routes (a format suffix is not an object).
        elif isinstance(pattern, URLPattern) and pattern.name and set(pattern.pattern.regex.groupindex) - {"format"}:
            yield f"{namespace}{pattern.name}", set(pattern.pattern.regex.groupindex) - {"format"}


# A Stepping Stones cohort is a programme year ("cohorts/2026/"), not something a school or BCU owns: who may read it is
# the access matrix's business; here its URLs are only held to "no write from outside the role".
PROGRAMME_WIDE_KWARGS = {"year"}

# A link whose only argument is a signed or secret token (e-mailed: confirm, unsubscribe, accept an invitation) is
# a capability: whoever holds it may use it, by design.
CAPABILITY_KWARGS = {"token"}

OBJECT_URL_KWARGS = dict(_url_names_with_object_kwargs())
OBJECT_URL_NAMES = set(OBJECT_URL_KWARGS)
CAPABILITY_URLS = {name for name, kwargs in OBJECT_URL_KWARGS.items() if kwargs <= CAPABILITY_KWARGS}
OBJECT_ROWS = [row for row in collect_rows() if row.kwargs and row.url_name in OBJECT_URL_NAMES]
PROBED_ROWS = [row for row in OBJECT_ROWS if row.url_name not in PUBLIC_OBJECT_URLS | CAPABILITY_URLS]


def _made_up(kwargs: dict) -> dict:
    """The same URL for an object that does not exist."""
    made_up = {}
    for key, value in kwargs.items():
        if isinstance(value, int) or str(value).isdigit():
            made_up[key] = 987654321 if key != "urn" else 999999
        elif isinstance(value, uuid.UUID):
            made_up[key] = uuid.uuid4()
        else:
            made_up[key] = f"no-such-{uuid.uuid4().hex[:12]}"
    return made_up


def _request(client: Client, method: str, url: str, api: bool):
    if method == "get":
        return client.get(url)
    if api:
        return getattr(client, method)(url, PAYLOAD, content_type="application/json")
    if method == "post":
        return client.post(url, PAYLOAD)
    return getattr(client, method)(url)


def test_every_object_url_is_either_probed_or_public_by_design():
    """A URL taking an object must have an access row with an object builder (so the probe below covers it)."""
    with_builder = {row.url_name for row in OBJECT_ROWS}
    missing = sorted(OBJECT_URL_NAMES - with_builder)
    # allauth's own URLs (tokens in e-mail links) are declared by the accounts app without builders.
    missing = [name for name in missing if not name.startswith(("account_", "mfa_", "socialaccount_", "usersessions"))]
    assert not missing, f"object URLs with no access row that builds their object: {missing}"
    assert not PUBLIC_OBJECT_URLS - {row.url_name for row in OBJECT_ROWS}, "stale PUBLIC_OBJECT_URLS entries"


@pytest.mark.parametrize("row", PROBED_ROWS, ids=lambda row: row.url_name)
def test_object_from_another_scope_is_not_found_and_nothing_changes(row):
    """One object per URL, probed in turn by a user of another school, BCU and organisation (one test per URL keeps
    the suite within CI's time; the message names who got what)."""
    kwargs = url_kwargs(row)  # the object first, in its own scope (some builders pick an existing user as its owner)
    url = reverse(row.url_name, kwargs=kwargs)
    made_up_url = reverse(row.url_name, kwargs=_made_up(kwargs))
    api = url.startswith("/api/")
    programme_wide = set(kwargs) <= PROGRAMME_WIDE_KWARGS
    for who, build in sorted(OTHER_SCOPE_USERS.items()):
        client = Client()
        client.force_login(build())
        client.get(reverse("healthz"))  # the first signed-in request of the day stamps `last_seen_at`
        before = database_snapshot()
        for method in METHODS:
            response = _request(client, method, url, api)
            if programme_wide:
                # 428: a PATCH/PUT without If-Match of an object they may read (the GET already shows it exists).
                refused = {400, 403, 404, 405, 428}
                assert method == "get" or response.status_code in refused, (who, method, url, response)
                continue
            made_up = _request(client, method, made_up_url, api)
            assert response.status_code in {403, 404, 405}, f"{who} {method.upper()} {url}: {response.status_code}"
            assert response.status_code == made_up.status_code, (
                f"{who} {method.upper()} {url}: {response.status_code} for a real object out of scope, "
                f"{made_up.status_code} for one that does not exist (tells them it exists)"
            )
        after = database_snapshot()
        assert not changed_tables(before, after), f"{who} changed {changed_tables(before, after)} through {url}"


def test_the_probe_would_notice_a_leak_and_a_write():
    """Controls: the owner of an object does get it, and a write shows in the snapshot."""
    from core.services import audit_record
    from tests.accounts.factories import headteacher_of, with_two_factor
    from tests.wands.factories import WandRequestFactory

    wand_request = WandRequestFactory()
    owner = with_two_factor(headteacher_of(wand_request.school))
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk})).status_code == 200
    before = database_snapshot()
    audit_record(actor=owner, verb="probe.control", target=wand_request)
    assert changed_tables(before, database_snapshot()) == ["core_auditevent"]
