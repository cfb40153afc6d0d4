"""Stepping Stones in the browser, with axe on every page: a primary refers a pupil with consent and the secondary
accepts; a full school waitlists, a withdrawal frees a place that goes to the top of the waiting list and the lead
confirms it; a coordinator downloads the evaluation file. No page the journeys visit has pupil data in its URL."""

import csv
import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from stepping_stones import services
from stepping_stones.models import Need, ParticipatingSchool, Referral
from tests.accounts.factories import with_two_factor
from tests.stepping_stones.factories import (
    CohortFactory,
    NeedFactory,
    ParticipatingSchoolFactory,
    coordinator,
    lead_of,
    primary_school,
    refer,
    secondary_school,
    upn_for,
    year6_dob,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUPIL = {"first_name": "Marigold", "last_name": "Thistlewaite", "upn": upn_for(4242)}
PUPIL_DOB = year6_dob(2026, month=5, day=9)


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def people():
    cohort = CohortFactory(transition_year=2026)
    primary = primary_school(name="Rushmore Primary School")
    secondary = secondary_school(name="Clapton Girls' Academy")
    participating = ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=60, feeder_primaries=[primary])
    NeedFactory(name="Attendance")
    NeedFactory(name="Friendships and belonging")
    return {
        "cohort": cohort,
        "primary": primary,
        "secondary": secondary,
        "participating": participating,
        "primary_lead": with_two_factor(lead_of(primary, full_name="Priya Primary")),
        "secondary_lead": with_two_factor(lead_of(secondary, full_name="Sam Secondary")),
        "coordinator": with_two_factor(coordinator(full_name="Cora Coordinator")),
    }


def sign_in_as(page, live_server, user):
    """A signed-in session (with two-factor set up) handed to the browser, as the identity journeys cover sign-in."""
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


@pytest.fixture
def visited(page):
    """Every URL the browser loads, to check that none carries pupil data."""
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    yield urls
    for url in urls:
        for value in (*PUPIL.values(), PUPIL_DOB.isoformat()):
            assert value.lower() not in url.lower(), f"pupil data in {url}"


def test_primary_refers_with_consent_and_the_secondary_accepts(live_server, page, axe_check, people, visited):
    sign_in_as(page, live_server, people["primary_lead"])
    page.goto(live_server.url + "/stepping-stones/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stepping Stones")
    axe_check(page)
    page.get_by_role("button", name="Start a referral").click()
    expect(page.locator(".govuk-panel--interruption")).to_contain_text(
        "This is not how to report a safeguarding concern"
    )
    axe_check(page)
    page.get_by_role("button", name="Continue to the referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pupil details")
    page.get_by_role("button", name="Save and continue").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the pupil's first name")
    axe_check(page)
    page.get_by_label("First name").fill(PUPIL["first_name"])
    page.get_by_label("Last name").fill(PUPIL["last_name"])
    page.locator("#id_date_of_birth_day").fill(str(PUPIL_DOB.day))
    page.locator("#id_date_of_birth_month").fill(str(PUPIL_DOB.month))
    page.locator("#id_date_of_birth_year").fill(str(PUPIL_DOB.year))
    page.get_by_label("Unique pupil number (UPN)").fill("A123")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("UPN")
    axe_check(page)
    page.get_by_label("Unique pupil number (UPN)").fill(PUPIL["upn"])
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Which secondary school will the pupil go to?")
    axe_check(page)
    page.get_by_label("Clapton Girls' Academy").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Needs and strengths")
    axe_check(page)
    page.get_by_label("Friendships and belonging").check()
    page.get_by_label("What are the pupil's strengths?").fill("Kind to younger pupils; loves football")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who at your school knows the pupil")
    axe_check(page)
    page.get_by_label("Name of the member of staff who knows the pupil best").fill("Ms Example")
    page.get_by_label("Their role").fill("Year 6 class teacher")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    axe_check(page)

    # Without consent, check your answers explains and offers no way to send.
    referral = Referral.objects.get()
    page.goto(f"{live_server.url}/stepping-stones/referrals/{referral.reference}/check/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("You cannot submit until you record parental consent")
    expect(page.get_by_role("button", name="Send referral")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Record parental consent").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Parental consent")
    expect(page.locator("#consent-text")).to_contain_text(f"version {services.CONSENT_TEXT_VERSIONS[-1]}")
    axe_check(page)
    today = timezone.localdate()
    page.get_by_label("Full name of the parent or carer who gave consent").fill("Rosalind Thistlewaite")
    page.get_by_label("Mother").check()
    page.get_by_label("On a paper form").check()
    page.locator("#id_given_on_day").fill(str(today.day))
    page.locator("#id_given_on_month").fill(str(today.month))
    page.locator("#id_given_on_year").fill(str(today.year))
    page.get_by_label("The parent or carer was given the consent text shown above").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(PUPIL["last_name"])
    axe_check(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    expect(page.locator(".govuk-panel__body strong")).to_have_text(referral.reference)
    axe_check(page)

    # The secondary's lead accepts.
    sign_in_as(page, live_server, people["secondary_lead"])
    page.goto(live_server.url + "/stepping-stones/")
    axe_check(page)
    page.get_by_role("link", name="Clapton Girls' Academy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clapton Girls' Academy")
    axe_check(page)
    page.get_by_role("link", name=referral.reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{PUPIL['first_name']} {PUPIL['last_name']}")
    axe_check(page)
    page.get_by_role("link", name="Accept, waitlist or decline the referral").click()
    axe_check(page)
    page.get_by_label("Accept: offer the pupil a place").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is accepted")
    expect(page.locator("#referral-status")).to_have_text("Accepted")
    axe_check(page)

    # The primary sees the status and can no longer change the record.
    sign_in_as(page, live_server, people["primary_lead"])
    page.goto(live_server.url + "/stepping-stones/referrals/")
    expect(page.locator(".govuk-table")).to_contain_text("Accepted")
    axe_check(page)
    page.get_by_role("link", name=referral.reference).click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("can no longer be changed")
    expect(page.get_by_role("link", name="Change")).to_have_count(0)
    axe_check(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_full_school_waitlists_then_a_withdrawal_offers_the_place_to_the_top_of_the_list(
    live_server, page, axe_check, people, visited
):
    cohort, primary, secondary = people["cohort"], people["primary"], people["secondary"]
    ParticipatingSchool.objects.filter(pk=people["participating"].pk).update(places=1)
    placed = refer(
        actor=people["primary_lead"], cohort=cohort, referring_school=primary, receiving_school=secondary, n=1
    )
    services.referral_accept(actor=people["secondary_lead"], referral=placed)
    standard = refer(
        actor=people["primary_lead"], cohort=cohort, referring_school=primary, receiving_school=secondary, n=2
    )
    services.referral_waitlist(actor=people["secondary_lead"], referral=standard, priority=3)
    urgent = refer(
        actor=people["primary_lead"],
        cohort=cohort,
        referring_school=primary,
        receiving_school=secondary,
        n=3,
        **PUPIL,
        date_of_birth=PUPIL_DOB,
    )

    sign_in_as(page, live_server, people["secondary_lead"])
    page.goto(f"{live_server.url}/stepping-stones/referrals/{urgent.reference}/decision/")
    axe_check(page)
    # The school is full: Accept is not offered; the page says so and offers the waiting list.
    expect(page.locator("#no-places")).to_contain_text("has no places left")
    expect(page.get_by_label("Accept: offer the pupil a place")).to_have_count(0)
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose waiting list or decline")
    axe_check(page)
    page.get_by_label("Put the pupil on the waiting list").check()
    page.get_by_label("Priority on the waiting list").select_option("1")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is on the waiting list")
    expect(page.get_by_text("Number 1 on the waiting list")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/stepping-stones/schools/{secondary.pk}/")
    waiting = page.locator("table", has=page.locator("caption", has_text="Waiting list"))
    expect(waiting.locator("tbody tr").nth(0)).to_contain_text(urgent.reference)
    expect(waiting.locator("tbody tr").nth(1)).to_contain_text(standard.reference)
    axe_check(page)

    # The pupil with the place leaves: the place goes to the top of the waiting list.
    page.goto(f"{live_server.url}/stepping-stones/referrals/{placed.reference}/")
    page.get_by_role("link", name="Withdraw the pupil or record a move").click()
    axe_check(page)
    page.get_by_label("Moved to another school").check()
    page.get_by_label("Give details").fill("The family moved to Kent in June.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded as moved school")
    axe_check(page)

    page.goto(f"{live_server.url}/stepping-stones/schools/{secondary.pk}/")
    to_answer = page.locator("table", has=page.locator("caption", has_text="Referrals to answer"))
    expect(to_answer).to_contain_text(urgent.reference)
    expect(to_answer).to_contain_text("Place offered")
    axe_check(page)
    to_answer.get_by_role("link", name=urgent.reference).click()
    urgent.refresh_from_db()
    confirm_by = f"{urgent.offer_expires_on:%-d %B %Y}"
    expect(page.locator("#offer-expiry")).to_contain_text(confirm_by)  # the lead sees when the offer expires
    page.get_by_role("link", name="Confirm the place offered").click()
    expect(page.locator("#offer-expiry")).to_contain_text(confirm_by)
    axe_check(page)
    page.get_by_role("button", name="Confirm the place").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The place is confirmed")
    expect(page.locator("#referral-status")).to_have_text("Accepted")
    axe_check(page)
    urgent.refresh_from_db()
    standard.refresh_from_db()
    assert urgent.status == Referral.Status.ACCEPTED
    assert standard.status == Referral.Status.WAITLISTED


def test_coordinator_downloads_the_evaluation_file(live_server, page, axe_check, people, visited):
    for n in range(6):
        refer(
            actor=people["primary_lead"],
            cohort=people["cohort"],
            referring_school=people["primary"],
            receiving_school=people["secondary"],
            n=n,
            **(PUPIL if n == 0 else {}),
            **({"date_of_birth": PUPIL_DOB} if n == 0 else {}),
        )
    sign_in_as(page, live_server, people["coordinator"])
    page.goto(live_server.url + "/stepping-stones/")
    axe_check(page)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "1 primary school referred pupils to the 2026 transition. The chart shows the one that referred the most."
    )
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download referrals by primary school for the 2026 transition").click()
    download = download_info.value
    assert download.suggested_filename == "stepping-stones-referrals-by-primary-2026.csv"
    by_primary = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))  # noqa: PTH123, SIM115
    assert by_primary == [
        {"URN": str(people["primary"].pk), "Primary school": people["primary"].name, "Referrals": "6"}
    ]
    page.goto(live_server.url + "/stepping-stones/cohorts/")
    axe_check(page)
    page.get_by_role("link", name="2026 transition").click()
    expect(page.locator(".govuk-table")).to_contain_text("Clapton Girls' Academy")
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the evaluation file (CSV, pseudonymised)").click()
    download = download_info.value
    assert download.suggested_filename == "stepping-stones-evaluation-2026.csv"
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert {row["receiving_school_urn"] for row in rows} == {str(people["secondary"].pk)}
    for value in (*PUPIL.values(), PUPIL_DOB.isoformat()):
        assert value not in text


def test_every_other_page_passes_axe(live_server, page, axe_check, people, visited, tmp_path):
    """The pages the three journeys do not reach, each checked with axe (error states included)."""
    cohort, primary, secondary = people["cohort"], people["primary"], people["secondary"]
    accepted = refer(
        actor=people["primary_lead"],
        cohort=cohort,
        referring_school=primary,
        receiving_school=secondary,
        n=1,
        **PUPIL,
        date_of_birth=PUPIL_DOB,
    )
    services.referral_accept(actor=people["secondary_lead"], referral=accepted)
    pending = refer(actor=people["primary_lead"], cohort=cohort, referring_school=primary, n=2)
    need, _ = Need.objects.get_or_create(name="Friendships")
    base = f"{live_server.url}/stepping-stones"

    sign_in_as(page, live_server, people["secondary_lead"])
    for path, heading in [
        (f"/referrals/{accepted.reference}/progress/", "Record attendance and progress"),
        (f"/referrals/{accepted.reference}/status/", "Change the pupil's status"),
        ("/privacy/", "Privacy notice: what we collect about a pupil and why"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)
    page.goto(f"{base}/referrals/{accepted.reference}/status/")
    page.get_by_label("Enrolled").check()
    page.get_by_role("button", name="Save status").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a short reason for the change of status")
    axe_check(page)
    page.get_by_label("Why is the status changing?").fill("Started Year 7 in September")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("#referral-status")).to_have_text("Enrolled")
    page.goto(f"{base}/referrals/{accepted.reference}/progress/")
    page.get_by_label("Sessions attended in Year 7").fill("many")
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("whole number")
    axe_check(page)

    page.goto(base + "/find/")
    axe_check(page)
    page.get_by_label("Unique pupil number (UPN)").fill(PUPIL["upn"])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 pupil found")).to_be_visible()
    axe_check(page)
    page.get_by_label("Reference number").fill("SS26-NOPE9")
    page.get_by_role("button", name="Go to referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No referral you can see")
    axe_check(page)

    sign_in_as(page, live_server, people["coordinator"])
    for path, heading in [
        ("/pending/", "Referrals waiting for a destination"),
        (f"/referrals/{pending.reference}/route/", "Route the referral"),
        (f"/referrals/{accepted.reference}/access-log/", "Who has seen or changed this record"),
        (f"/referrals/{accepted.reference}/subject-access/", "Download everything held about this pupil"),
        (f"/referrals/{accepted.reference}/erase/", "Erase the pupil's record"),
        ("/needs/", "Needs list"),
        (f"/needs/{need.pk}/", "Change a need"),
        (f"/cohorts/{cohort.transition_year}/end-date/", "When the programme ends"),
        ("/cohorts/", "Transitions, schools and places"),
        (f"/cohorts/{cohort.transition_year}/schools/", "Add a secondary school"),
        (f"/cohorts/{cohort.transition_year}/schools/{secondary.pk}/", "Clapton Girls' Academy"),
        (f"/cohorts/{cohort.transition_year}/import/", "Import the cohort from a CSV file"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)

    page.goto(f"{base}/needs/{need.pk}/")
    page.get_by_label("Need", exact=True).fill("")
    page.get_by_role("button", name="Save need").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the need")
    axe_check(page)
    page.goto(f"{base}/cohorts/{cohort.transition_year}/end-date/")
    page.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Save end date").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The cohort must end after its pupils start Year 7")
    axe_check(page)

    page.goto(f"{base}/cohorts/{cohort.transition_year}/import/")
    bad = tmp_path / "cohort.csv"
    bad.write_text(",".join(services.IMPORT_COLUMNS) + "\nAnn,Example,2015-02-30,X1,1,,,,,,,,,,\n", encoding="utf-8")
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Line 2")
    axe_check(page)

    page.goto(f"{base}/referrals/{pending.reference}/route/")
    page.get_by_role("button", name="Send to this school").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the secondary school")
    axe_check(page)
    page.get_by_label("Clapton Girls' Academy").check()
    page.get_by_role("button", name="Send to this school").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is sent to Clapton Girls' Academy")
    axe_check(page)
