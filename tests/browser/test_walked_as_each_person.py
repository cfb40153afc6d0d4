"""Walked as each person would, in Chromium with axe on every page (issue 16, the problems left after the first
round): a police allocator assigns from a sorted queue and is offered the next school in that order, worded by what
it asked; a programme admin filters the wand queue (the date boxes on one line at 1,280 px), approves in bulk and is
back on the same filtered queue; fulfilment staff are not offered the school's "Confirm delivery"; a new invited
person signs up, confirms their email and lands on their invitation. Every journey waits for the network to settle
before acting."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from accounts import services as account_services
from officers.models import OfficerRequest
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, london_authority, programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.officers.factories import AssignmentFactory, OfficerFactory, allocator
from tests.wands.factories import WandRequestFactory, fulfilment_staff
from wands.models import AllowanceRule, StockLevel, WandRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    AllowanceRule.objects.get_or_create(phase="secondary", min_pupils=0, defaults={"wands": 6})
    StockLevel.objects.get_or_create(pk=1)


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


def go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def settle(page):
    page.wait_for_load_state("networkidle")


def test_allocator_is_offered_the_next_school_in_the_queues_own_order(page, live_server, axe_check):
    school = SchoolFactory(name="Clapton Girls' Academy", latitude=51.556, longitude=-0.052, open_date=date(2019, 9, 1))
    waited_longest = SchoolFactory(
        name="Yardley Old School", latitude=51.548, longitude=-0.061, open_date=date(1990, 9, 1)
    )
    first_by_name = SchoolFactory(
        name="Abbey Change School", latitude=51.549, longitude=-0.06, open_date=date.today() - timedelta(days=5)
    )
    earlier, current = (
        OfficerFactory(name="Rene Earlier", base_latitude=51.54, base_longitude=-0.05),
        OfficerFactory(name="Cass Current", base_latitude=51.53, base_longitude=-0.04),
    )
    AssignmentFactory(school=first_by_name, officer=earlier, start_date=date(2024, 9, 1), end_date=date(2025, 7, 1))
    AssignmentFactory(school=first_by_name, officer=current, start_date=date(2025, 7, 2))
    OfficerRequest.objects.create(school=first_by_name, kind=OfficerRequest.Kind.CHANGE, reason="No visit this term")
    near = OfficerFactory(name="Sam Near", base_latitude=51.555, base_longitude=-0.053)
    sign_in_as(page, live_server, allocator())

    go(page, live_server.url + "/officers/")
    page.get_by_label("Sort by").select_option(label="School name")
    page.get_by_role("button", name="Show").click()
    settle(page)
    axe_check(page)
    page.get_by_role("link", name="Clapton Girls' Academy").click()
    settle(page)
    page.get_by_label("Sam Near").check()
    page.get_by_role("button", name="Make named officer").click()
    settle(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has a named officer")
    next_box = page.locator("#next-school")
    # Sorted by name, the next school is Abbey (not Yardley, which has waited longest), and it asked for a change.
    expect(next_box).to_contain_text("Abbey Change School")
    expect(next_box).to_contain_text("asked for a different officer")
    axe_check(page)
    next_box.get_by_role("link", name="Abbey Change School").click()
    settle(page)
    expect(page.locator("#current-officer")).to_contain_text("Cass Current")
    earlier_table = page.get_by_role("table", name="Earlier named officers")
    expect(earlier_table).to_contain_text("Rene Earlier")
    expect(earlier_table).not_to_contain_text("Cass Current")
    axe_check(page)
    page.get_by_role("link", name="Back to the queue").click()
    settle(page)
    expect(page.get_by_label("Sort by")).to_have_value("name")
    assert near.pk and waited_longest.pk and school.pk


def test_admin_filters_the_queue_approves_in_bulk_and_is_back_on_the_same_filters(
    page, live_server, axe_check, tmp_path
):
    from wands import services as wand_services

    admin = programme_admin(full_name="Pat Admin")
    give_totp(admin)
    wand_services.stock_delivery_record(actor=admin, quantity=20, batch="B-1")
    camden = london_authority(202)
    camden_requests = [
        WandRequestFactory(school=SchoolFactory(name=f"Camden School {n}", local_authority=camden)) for n in range(2)
    ]
    WandRequestFactory(school=SchoolFactory(name="Hackney School"))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, live_server, admin)
    go(page, live_server.url + "/wands/queue/")
    # The GOV.UK date boxes fit the filter column at 1,280 px: day, month and year on one line.
    for legend in ("Submitted from", "Submitted to"):
        group = page.get_by_role("group", name=legend)
        tops = [box.bounding_box()["y"] for box in group.locator("input").all()]
        assert len(tops) == 3 and max(tops) - min(tops) < 1, f"{legend}: the date boxes wrap ({tops})"
    page.get_by_label("Status").select_option(label="Submitted")
    page.get_by_label("Borough").select_option(label="Camden")
    today = date.today()
    from_group = page.get_by_role("group", name="Submitted from")
    from_group.get_by_label("Day").fill("1")
    from_group.get_by_label("Month").fill("1")
    from_group.get_by_label("Year").fill(str(today.year - 1))
    page.get_by_role("button", name="Apply filters").click()
    settle(page)
    filtered_url = page.url
    expect(page.get_by_text("2 requests")).to_be_visible()
    axe_check(page)
    page.get_by_label(f"Select {camden_requests[0].reference}").check()
    page.get_by_role("button", name="Approve selected requests").click()
    settle(page)
    expect(page.locator("body")).to_contain_text("1 request approved")
    assert page.url == filtered_url
    expect(page.get_by_label("Borough")).to_have_value(str(camden.pk))
    expect(page.get_by_text("1 request", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=camden_requests[1].reference)).to_be_visible()
    axe_check(page)
    page.screenshot(path=str(tmp_path / "wand-queue-1280.png"), full_page=True)  # for a person to look at
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(tmp_path / "wand-queue-320.png"), full_page=True)
    assert WandRequest.objects.get(pk=camden_requests[0].pk).status == WandRequest.Status.APPROVED


def test_fulfilment_staff_are_offered_only_what_they_may_do(page, live_server, axe_check):
    staff = fulfilment_staff(full_name="Fran Fulfilment")
    give_totp(staff)
    dispatched = WandRequestFactory(dispatched=True, courier="DPD", tracking_reference="DPD123")
    approved = WandRequestFactory(approved=True)
    sign_in_as(page, live_server, staff)
    go(page, live_server.url + f"/wands/requests/{dispatched.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispatched.reference)
    expect(page.get_by_role("button", name="Confirm delivery")).to_have_count(0)
    axe_check(page)
    go(page, live_server.url + f"/wands/requests/{approved.pk}/")
    expect(page.get_by_role("button", name="Record dispatch")).to_be_visible()


def test_a_new_invited_person_lands_on_their_invitation_after_confirming_their_email(page, live_server, axe_check):
    school = SchoolFactory(name="Invited Academy")
    _invitation, token = account_services.headteacher_invite(
        actor=programme_admin(), school=school, email="new.head@example.org"
    )
    mail.outbox.clear()
    go(page, live_server.url + f"/invitations/accept/{token}/")
    page.get_by_role("link", name="Create an account").click()
    settle(page)
    expect(page.get_by_label("Email address")).to_have_value("new.head@example.org")
    page.get_by_label("Create a password").fill("a-long-test-password-1")
    page.get_by_label("Confirm your password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Create account").click()
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    main = page.locator("main").inner_text().lower()
    assert main.count("sent you an email") + main.count("sent an email") == 1, main
    axe_check(page)
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    go(page, live_server.url + link)
    page.get_by_role("button", name="Confirm email address").click()
    settle(page)
    page.get_by_label("Email address").fill("new.head@example.org")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    assert page.url.endswith(f"/invitations/accept/{token}/")
    expect(page.locator("main")).to_contain_text("Invited Academy")
    expect(page.get_by_role("button", name="Accept invitation")).to_be_visible()
    axe_check(page)
