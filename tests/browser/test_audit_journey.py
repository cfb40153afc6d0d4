"""The audit view in the browser, with axe on every page: a programme admin searches by who and what, types dates in
GOV.UK date inputs (a clear error for a date without its month and for a reversed range), pages through results with
the filters kept, and never sees pupil-record entries; a Stepping Stones coordinator finds a referral's history by its
reference."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ProgrammeRole
from core.models import AuditEvent
from core.services import audit_record
from tests.accounts.factories import ProgrammeRoleFactory, UserFactory
from tests.accounts.test_identity_support import give_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "SS26-JRNY1"


def vru(kind, name):
    user = ProgrammeRoleFactory(user=UserFactory(full_name=name), kind=kind).user
    give_totp(user)
    return user


@pytest.fixture
def history():
    admin = vru(ProgrammeRole.Kind.PROGRAMME_ADMIN, "Pat Admin")
    coordinator = vru(ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR, "Cat Coordinator")
    group = Group.objects.create(name="Wand request WR-00042")
    for step in range(55):
        audit_record(actor=admin, verb="wand_request.noted", target=group, reason=f"Note {step}")
    audit_record(actor=admin, verb="wand_request.approved", target=group, from_state="submitted", to_state="approved")
    AuditEvent.objects.create(
        actor=coordinator,
        actor_label=coordinator.email,
        verb="stepping_stones.referral.accepted",
        target_type=ContentType.objects.get_or_create(app_label="stepping_stones", model="referral")[0],
        target_id="1",
        target_label=REFERENCE,
        from_state="submitted",
        to_state="accepted",
    )
    return {"admin": admin, "coordinator": coordinator}


def sign_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_programme_admin_searches_the_audit(page, live_server, axe_check, history):
    sign_in_as(page, live_server, history["admin"])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Audit").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit")
    expect(page.get_by_role("table")).to_contain_text("Wand request noted")
    expect(page.locator("body")).not_to_contain_text(REFERENCE)
    axe_check(page)

    page.get_by_label("What happened").fill("wand_request.approved")
    page.get_by_role("button", name="Search the audit").click()
    expect(page.locator("body")).to_contain_text("1 entry")
    expect(page.locator("tbody")).to_contain_text("submitted to approved")
    axe_check(page)

    # The dates are GOV.UK date inputs: a date left without its month says so and marks the month box only.
    date_from = page.get_by_role("group", name="Date from")
    date_to = page.get_by_role("group", name="Date to")
    date_from.get_by_label("Day").fill("2")
    date_from.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Search the audit").click()
    expect(page).to_have_title("Error: Audit – London Schools Safety Portal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit")
    summary_link = page.locator(".govuk-error-summary").get_by_role("link", name="Date from must include a month")
    summary_link.click()
    expect(date_from.get_by_label("Month")).to_be_focused()
    expect(date_from.get_by_label("Month")).to_have_class(re.compile(r"govuk-input--error"))
    expect(date_from.get_by_label("Day")).not_to_have_class(re.compile(r"govuk-input--error"))
    expect(date_from.get_by_label("Day")).to_have_value("2")
    expect(page.get_by_label("What happened")).to_have_value("wand_request.approved")
    axe_check(page)

    page.get_by_label("What happened").fill("")
    date_from.get_by_label("Month").fill("5")
    date_to.get_by_label("Day").fill("1")
    date_to.get_by_label("Month").fill("5")
    date_to.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Search the audit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date to must be the same as or after date from")
    expect(page).to_have_title("Error: Audit – London Schools Safety Portal")
    axe_check(page)

    # A range that holds today's entries.
    today = timezone.localdate()
    for group in (date_from, date_to):
        group.get_by_label("Day").fill(str(today.day))
        group.get_by_label("Month").fill(str(today.month))
        group.get_by_label("Year").fill(str(today.year))
    page.get_by_label("What happened").fill("wand_request.approved")
    page.get_by_role("button", name="Search the audit").click()
    expect(page).to_have_title("Audit – London Schools Safety Portal")
    expect(page.locator("body")).to_contain_text("1 entry")
    expect(date_to.get_by_label("Year")).to_have_value(str(today.year))
    axe_check(page)

    for group in (date_from, date_to):
        for box in ("Day", "Month", "Year"):
            group.get_by_label(box).fill("")
    page.get_by_label("What happened").fill("wand_request")
    page.get_by_label("Who (email address)").fill(history["admin"].email)
    page.get_by_role("button", name="Search the audit").click()
    expect(page.locator("body")).to_contain_text("56 entries")
    page.locator(".govuk-pagination__next a").click()
    expect(page).to_have_url(f"{live_server.url}/audit/?{page.url.split('?', 1)[1]}")
    assert "verb=wand_request" in page.url and "page=2" in page.url
    expect(page.get_by_label("What happened")).to_have_value("wand_request")
    axe_check(page)
    export = page.get_by_role("link", name="Download these entries (CSV)")
    assert "verb=wand_request" in export.get_attribute("href")


def test_coordinator_finds_a_referrals_history(page, live_server, axe_check, history):
    sign_in_as(page, live_server, history["coordinator"])
    page.goto(live_server.url + "/audit/")
    page.get_by_label("Referral reference").fill(REFERENCE)
    page.get_by_role("button", name="Search the audit").click()
    expect(page.locator("body")).to_contain_text("1 entry")
    expect(page.locator("tbody")).to_contain_text(REFERENCE)
    expect(page.locator("tbody")).to_contain_text("Stepping stones referral accepted")
    axe_check(page)


def _long_entries(coordinator):
    """Entries with the longest things the audit holds: a long email, a long dotted verb, a long label."""
    kind = ContentType.objects.get_or_create(app_label="stepping_stones", model="referral")[0]
    for _ in range(3):
        AuditEvent.objects.create(
            actor=coordinator,
            actor_label="stepping-stones-coordinator.with.a.long.name@demo.schools-safety.london",
            verb="stepping_stones.referral.pending_destination",
            target_type=kind,
            target_id="123456",
            target_label="SS26-AMHE6",
            from_state="pending_destination",
            to_state="submitted",
            reason="Destination known after national offer day",
        )


@pytest.mark.parametrize("width", [1280, 320])
def test_the_audit_table_fits_the_page_or_scrolls_in_its_own_region(page, live_server, axe_check, history, width):
    """At 1,280 px the table overflowed its column by 60 px; at 320 px the page scrolled sideways (WCAG 1.4.10)."""
    _long_entries(history["coordinator"])
    sign_in_as(page, live_server, history["coordinator"])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/audit/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    region = page.get_by_role("region", name="Audit entries, newest first")
    expect(region).to_be_visible()
    fits = page.evaluate(
        """() => { const r = document.querySelector('.portal-table-container');
                   return [r.scrollWidth, r.clientWidth]; }"""
    )
    if width == 1280:
        assert fits[0] <= fits[1], f"the table is {fits[0] - fits[1]} px wider than its column"
    region.focus()  # a keyboard user can scroll the region
    axe_check(page)


def test_object_types_are_named_as_people_name_them(page, live_server, history):
    sign_in_as(page, live_server, history["admin"])
    page.goto(live_server.url + "/audit/")
    options = page.get_by_label("Type of object").locator("option").all_inner_texts()
    assert "Wand request" in options and "School membership" in options and "School" in options
    assert not [option for option in options if "|" in option or "Authentication" in option]
    # Business objects only: Django's groups and the portal's own plumbing are not offered.
    assert not {"Group", "Permission", "Idempotent response", "Worker heartbeat", "Sent email"} & set(options)
