"""Stepping Stones (pupil records) under attack: no caching of any pupil page or endpoint, a canary pupil that never
reaches a log line or an error report, forged fields, the cohort import's uploads, the evaluation export's cells, the
race for places, and the audit view's pupil entries reaching coordinators only.

tests/stepping_stones/test_canary.py follows the canary through the API's whole flow (logs, emails, audit); here it
goes through the pages too, at DEBUG, and through the error-report path (the email to admins and the JSON log line).
"""

import csv
import io
import logging
from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.access import collect_rows
from core.csv_export import FORMULA_PREFIXES
from core.logging import JsonFormatter
from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import Referral
from stepping_stones.upn import upn_make
from tests.access import url_kwargs
from tests.accounts.factories import programme_admin, with_two_factor
from tests.concurrency import run_together
from tests.etag import patch_with_etag
from tests.stepping_stones.factories import (
    CohortFactory,
    ParticipatingSchoolFactory,
    coordinator,
    lead_of,
    primary_school,
    refer,
    secondary_school,
)

from .probes import changed_tables, database_snapshot

pytestmark = pytest.mark.django_db

CANARY_FIRST = "Obadiahsecuritycanary"
CANARY_LAST = "Wrenfeatherprobe"
CANARY_UPN = upn_make("204999925888")
CANARY_DOB = date(2014, 11, 29)
CANARY = (CANARY_FIRST, CANARY_LAST, CANARY_UPN, "2014-11-29", "29/11/2014", "29 November 2014", "29 Nov 2014")
NAMESPACES = ("stepping_stones", "stepping_stones-api")


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARY if canary.lower() in text.lower()]


@pytest.fixture
def world():
    cohort = CohortFactory(transition_year=2026)
    primary, secondary = primary_school(), secondary_school()
    participating = ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=3, feeder_primaries=[primary])
    return {
        "cohort": cohort,
        "primary": primary,
        "secondary": secondary,
        "participating": participating,
        "primary_lead": with_two_factor(lead_of(primary)),
        "secondary_lead": with_two_factor(lead_of(secondary)),
        "coordinator": with_two_factor(coordinator()),
    }


@pytest.fixture
def canary_referral(world):
    return refer(
        actor=world["primary_lead"],
        cohort=world["cohort"],
        referring_school=world["primary"],
        receiving_school=world["secondary"],
        first_name=CANARY_FIRST,
        last_name=CANARY_LAST,
        upn=CANARY_UPN,
        date_of_birth=CANARY_DOB,
    )


@pytest.fixture
def every_log_line(caplog):
    """Every record at DEBUG, from the root and from the loggers that do not propagate, as the JSON lines ops see."""
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("django.request", "django.server", "django.security", "portal")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    formatter = JsonFormatter()
    yield lambda: "\n".join(formatter.format(record) for record in caplog.records)
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def _pupil_url_names():
    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return sorted(name for name in walk(get_resolver()) if name.split(":")[0] in NAMESPACES)


# The programme's public explanation of how pupil data is used: no pupil data on it.
NOT_PUPIL_PAGES = {"stepping_stones:privacy"}
ROWS_BY_NAME = {}
for _row in collect_rows():
    ROWS_BY_NAME.setdefault(_row.url_name, _row)


def test_every_stepping_stones_url_is_walked_below():
    names = _pupil_url_names()
    assert len(names) > 20, names
    assert not [name for name in names if name not in ROWS_BY_NAME]


@pytest.mark.parametrize("who", ["coordinator", "outsider"])
@pytest.mark.parametrize("url_name", [n for n in _pupil_url_names() if n not in NOT_PUPIL_PAGES])
def test_every_pupil_page_and_endpoint_is_never_stored_by_a_cache(url_name, who):
    """Whatever the answer (the page, a refusal, a redirect), a browser or proxy must not keep it."""
    row = ROWS_BY_NAME[url_name]
    user = with_two_factor(coordinator()) if who == "coordinator" else with_two_factor(programme_admin())
    client = Client()
    client.force_login(user)
    kwargs = url_kwargs(row)
    response = client.get(reverse(url_name, kwargs=kwargs) + (f"?{row.query}" if row.query else ""))
    assert "no-store" in response.get("Cache-Control", ""), (url_name, response.status_code, response.headers)


def test_the_canary_never_reaches_a_log_line_through_the_pages(world, canary_referral, every_log_line):
    reference = canary_referral.reference
    client = Client()
    client.force_login(world["coordinator"])
    seen = []
    for row in [ROWS_BY_NAME[n] for n in _pupil_url_names() if n.startswith("stepping_stones:")]:
        url_kwargs = {"reference": reference} if row.kwargs and "reference" in str(reverse_kwargs(row)) else None
        if url_kwargs is None:
            continue
        response = client.get(reverse(row.url_name, kwargs=url_kwargs))
        seen.append(response.status_code)
        assert not leaks(response.get("Location", "")), row.url_name
    assert 200 in seen
    detail = client.get(reverse("stepping_stones:referral_detail", kwargs={"reference": reference}))
    assert CANARY_LAST in detail.content.decode(), "the coordinator's page shows the pupil (the probe reached it)"
    for search in ({"name": CANARY_LAST}, {"upn": CANARY_UPN}):
        found = client.post(reverse("stepping_stones:find"), {"form": "search", **search})
        assert found.status_code == 200 and reference in found.content.decode()
    wrong = client.post(reverse("stepping_stones:find"), {"form": "search", "upn": CANARY_UPN[:-1] + "Z"})
    assert wrong.status_code == 200
    lines = every_log_line()
    assert lines, "nothing was logged at DEBUG: the capture is not working"
    assert not leaks(lines), leaks(lines)


def test_the_canary_never_reaches_a_log_line_through_the_api(world, canary_referral, every_log_line):
    api = APIClient()
    api.force_authenticate(world["coordinator"])
    reference = canary_referral.reference
    assert api.get(reverse("stepping_stones-api:referral", kwargs={"reference": reference})).json()["upn"] == CANARY_UPN
    assert api.post(reverse("stepping_stones-api:search"), {"upn": CANARY_UPN}, format="json").status_code == 200
    api.force_authenticate(world["primary_lead"])
    bad = api.post(
        reverse("stepping_stones-api:referrals"),
        {
            "cohort": 2026,
            "referring_school_urn": world["primary"].pk,
            "first_name": CANARY_FIRST,
            "last_name": CANARY_LAST,
            "date_of_birth": "2014-11-31",
            "upn": CANARY_UPN[:-1] + "Z",
        },
        format="json",
    )
    assert bad.status_code in {400, 409} and not leaks(str(bad.content))
    assert not leaks(every_log_line())


def test_an_error_report_never_carries_the_canary(world, canary_referral, settings, monkeypatch, every_log_line):
    """A crash while searching by the canary's UPN and name: the admins' email and the log line name no pupil."""
    from stepping_stones import selectors

    settings.ADMINS = [("Portal operations", "ops@example.org")]

    def crash(request, *, upn, name, dob):
        pupil_in_a_local = f"{name} {upn} {dob}"  # what a real bug's frame would hold
        raise RuntimeError("search index unavailable" + ("" if pupil_in_a_local else "!"))

    monkeypatch.setattr(selectors, "referral_find", crash)
    client = Client(raise_request_exception=False)
    client.force_login(world["coordinator"])
    response = client.post(
        reverse("stepping_stones:find") + f"?q={CANARY_LAST}",
        {
            "form": "search",
            "name": CANARY_LAST,
            "upn": CANARY_UPN,
            "dob_day": "29",
            "dob_month": "11",
            "dob_year": "2014",
        },
    )
    assert response.status_code == 500
    assert not leaks(response.content.decode())
    assert len(mail.outbox) == 1, "the error report to admins was not sent (the probe did not reach it)"
    report = mail.outbox[0]
    texts = [report.subject, report.body] + [content for content, _type in getattr(report, "alternatives", [])]
    for text in texts:
        assert not leaks(str(text)), leaks(str(text))
    assert "RuntimeError" in report.body
    lines = every_log_line()
    assert "search index unavailable" in lines and not leaks(lines), leaks(lines)


def reverse_kwargs(row):
    """The keyword names a row's URL takes (without building its objects)."""
    resolver = get_resolver()
    namespace, _, name = row.url_name.rpartition(":")
    for ns in namespace.split(":") if namespace else []:
        resolver = resolver.namespace_dict[ns][1]
    possibilities = resolver.reverse_dict.getlist(name)
    return {key for possibility in possibilities for key in possibility[0][0][1]}


# --- forged fields ---------------------------------------------------------------------------------------------------


def test_a_referral_cannot_be_created_accepted_or_moved_by_forged_fields(world):
    api = APIClient()
    api.force_authenticate(world["primary_lead"])
    response = api.post(
        reverse("stepping_stones-api:referrals"),
        {
            "cohort": 2026,
            "referring_school_urn": world["primary"].pk,
            "first_name": "Forgedfields",
            "last_name": "Probe",
            "date_of_birth": "2014-10-01",
            "upn": upn_make("204999925111"),
            "status": "accepted",
            "reference": "SS26-FORGE",
            "decided_at": "2026-01-01T00:00:00Z",
            "created_by": world["coordinator"].pk,
            "place_confirmed": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(last_name="Probe")
    assert referral.status == Referral.Status.DRAFT
    assert referral.reference != "SS26-FORGE" and referral.decided_at is None
    assert referral.referring_school_id == world["primary"].pk


def test_a_lead_cannot_refer_for_another_school_or_accept_their_own_referral(world):
    other_primary = primary_school()
    api = APIClient()
    api.force_authenticate(world["primary_lead"])
    before = database_snapshot()
    elsewhere = api.post(
        reverse("stepping_stones-api:referrals"),
        {
            "cohort": 2026,
            "referring_school_urn": other_primary.pk,
            "first_name": "Elsewhere",
            "last_name": "Probe",
            "date_of_birth": "2014-10-01",
            "upn": upn_make("204999925222"),
        },
        format="json",
    )
    assert elsewhere.status_code in {400, 403, 404}
    assert not changed_tables(before, database_snapshot())
    referral = refer(
        actor=world["primary_lead"],
        cohort=world["cohort"],
        referring_school=world["primary"],
        receiving_school=world["secondary"],
        n=5,
    )
    before = database_snapshot()
    accept = api.post(
        reverse("stepping_stones-api:accept", kwargs={"reference": referral.reference}), {}, format="json"
    )
    assert accept.status_code in {403, 404}
    assert not changed_tables(before, database_snapshot())


def test_patching_a_referral_cannot_move_its_status_school_or_cohort(world):
    referral = refer(
        actor=world["primary_lead"],
        cohort=world["cohort"],
        referring_school=world["primary"],
        receiving_school=world["secondary"],
        n=11,
    )
    status, cohort_id = referral.status, referral.cohort_id
    api = APIClient()
    api.force_authenticate(world["primary_lead"])
    response = patch_with_etag(
        api,
        reverse("stepping_stones-api:referral", kwargs={"reference": referral.reference}),
        {
            "strengths": "Updated by the primary",
            "status": "accepted",
            "referring_school_urn": primary_school().pk,
            "referring_school": 1,
            "cohort": 2030,
            "reference": "SS26-FORGE",
            "decided_at": "2026-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 200, response.content
    referral.refresh_from_db()
    assert referral.strengths == "Updated by the primary"
    assert (referral.status, referral.cohort_id, referral.referring_school_id) == (
        status,
        cohort_id,
        world["primary"].pk,
    )
    assert referral.reference != "SS26-FORGE" and referral.decided_at is None


# --- the cohort import (uploads) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("schools.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("schools.csv", b"PK\x03\x04" + b"\x00" * 64),
        ("schools.csv", "urn,places\r\nécole,1\r\n".encode("cp1252")),
        ("schools.csv", b"urn,places,feeder_urns\r\n" + b"100001,60,100002\r\n" * 120_000),
        ("../../etc/passwd.csv", b"\x00\x01binary"),
    ],
    ids=["png", "zip", "cp1252", "oversize", "path"],
)
@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_the_cohort_import_refuses_hostile_files(world, name, content, api):
    client = APIClient() if api else Client()
    client.force_login(world["coordinator"])
    url_name = "stepping_stones-api:cohort-import" if api else "stepping_stones:cohort_import"
    before = database_snapshot()
    response = client.post(
        reverse(url_name, kwargs={"year": 2026}),
        {"file": SimpleUploadedFile(name, content, "text/csv")},
        **({"format": "multipart"} if api else {}),
    )
    assert not changed_tables(before, database_snapshot())
    if api:
        assert response.status_code == 400, response.content[:300]
    else:
        assert response.status_code in {200, 400} and "govuk-error-summary" in response.content.decode()


# --- the evaluation export ---------------------------------------------------------------------------------------


def test_the_evaluation_export_neutralises_formulas(world):
    hostile = '=HYPERLINK("http://evil.example","x")'
    refer(
        actor=world["primary_lead"],
        cohort=world["cohort"],
        referring_school=world["primary"],
        receiving_school=world["secondary"],
        n=7,
        strengths=hostile,
        known_by_name="+SUM(1,2)",
        known_by_role="@cmd",
    )
    for client, name in (
        (Client(), "stepping_stones:evaluation_export"),
        (APIClient(), "stepping_stones-api:evaluation-export"),
    ):
        client.force_login(world["coordinator"])
        response = client.get(reverse(name, kwargs={"year": 2026}))
        assert response.status_code == 200, (name, response.status_code)
        assert "no-store" in response["Cache-Control"]
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        found = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        dangerous = [c for c in found if c.lstrip(" ").startswith(FORMULA_PREFIXES) and not c.lstrip("-").isdigit()]
        assert not dangerous, dangerous
        assert not leaks(text)


# --- the audit view ------------------------------------------------------------------------------------------------


def test_pupil_audit_entries_reach_coordinators_only(world, canary_referral):
    reference = canary_referral.reference
    entries = AuditEvent.objects.filter(target_label=reference)
    assert entries.exists(), "Stepping Stones recorded no audit entry labelled with the referral's reference"
    assert not [e for e in AuditEvent.objects.all() if leaks(f"{e.target_label} {e.reason} {e.data}")]
    for who, sees in ((world["coordinator"], True), (with_two_factor(programme_admin()), False)):
        client = Client()
        client.force_login(who)
        page = client.get(reverse("audit:search"), {"referral": reference})
        assert bool(page.context["page"].object_list) is sees  # the search box echoes the reference: read the rows
        everything = client.get(reverse("audit:search"))
        assert (reference in {e.target_label for e in everything.context["page"].object_list}) is sees
        export = b"".join(client.get(reverse("audit:export")).streaming_content).decode("utf-8-sig")
        assert (reference in export) is sees
        api = APIClient()
        api.force_authenticate(who)
        labels = {
            item["target_label"] for item in api.get(reverse("audit-api:list"), {"page_size": 200}).json()["results"]
        }
        assert (reference in labels) is sees


# --- places (PostgreSQL) -------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_places_are_never_overfilled_across_twenty_runs():
    """Each run: a secondary with 2 places and 6 submitted referrals; 6 accepts at the same moment, 2 win."""
    cohort = CohortFactory(transition_year=2026)
    for run in range(20):
        primary, secondary = primary_school(), secondary_school()
        participating = ParticipatingSchoolFactory(
            cohort=cohort, school=secondary, places=2, feeder_primaries=[primary]
        )
        primary_lead, secondary_lead = lead_of(primary), lead_of(secondary)
        referrals = [
            refer(
                actor=primary_lead,
                cohort=cohort,
                referring_school=primary,
                receiving_school=secondary,
                n=run * 10 + i,
            )
            for i in range(6)
        ]
        results = run_together(
            [lambda r=r: services.referral_accept(actor=secondary_lead, referral=r) for r in referrals]
        )
        accepted = Referral.objects.filter(pk__in=[r.pk for r in referrals], status=Referral.Status.ACCEPTED).count()
        assert accepted == 2, (run, results)
        participating.refresh_from_db()
        assert accepted <= participating.places, run
