"""Knife wands in the browser, with axe on every page: request → approve → dispatch → confirm delivery; a rejection
with a reason; stock runs out, the request waits, and a delivery of stock reserves it; a replaced faulty wand is picked
up."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.wands.factories import fulfilment_staff
from wands.models import AllowanceRule, StockLevel, WandRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """A transactional test before this one flushed the tables, data-migrated rows included."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    AllowanceRule.objects.get_or_create(phase="secondary", min_pupils=0, defaults={"wands": 6})
    StockLevel.objects.get_or_create(pk=1)


@pytest.fixture
def people():
    school = SchoolFactory(
        name="Clapton Girls' Academy", number_of_pupils=1100, street="Laura Place", town="London", postcode="E5 0RB"
    )
    head = headteacher_of(school, full_name="Hana Head")
    admin = programme_admin(full_name="Pat Admin")
    fulfilment = fulfilment_staff(full_name="Fran Fulfilment")
    for user in (head, admin, fulfilment):
        give_totp(user)  # their roles require two-factor sign-in
    return {"school": school, "head": head, "admin": admin, "fulfilment": fulfilment}


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


def request_wands(page, live_server, axe_check, quantity="4"):
    page.goto(live_server.url + "/wands/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knife wands")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Left to request")
    axe_check(page)
    page.get_by_role("button", name="Request wands").click()
    expect(page).to_have_title("Request wands – London Schools Safety Portal")
    expect(page.get_by_label("Delivery address")).to_contain_text("Laura Place")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter how many wands you need")
    axe_check(page)
    page.get_by_label("How many wands do you need?").fill(quantity)
    page.get_by_label("Name of the person who will take the delivery").fill("Sam Site")
    page.get_by_label("Their phone number").fill("020 7946 0018")
    page.get_by_label("Our behaviour policy says staff may screen pupils for weapons").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your request")
    axe_check(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    axe_check(page)
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"KW-\d{6}", reference)
    return WandRequest.objects.get(pk=int(reference[3:]))


def open_in_queue(page, live_server, axe_check, wand_request):
    page.goto(live_server.url + "/wands/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wand requests")
    axe_check(page)
    page.get_by_role("link", name=wand_request.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Wand request {wand_request.reference}")
    axe_check(page)


def test_request_approve_dispatch_deliver(live_server, page, axe_check, people):
    # Stock is in the warehouse.
    from wands import services

    services.stock_delivery_record(actor=people["admin"], quantity=20, batch="SUP-1")

    sign_in_as(page, live_server, people["head"])
    wand_request = request_wands(page, live_server, axe_check)

    sign_in_as(page, live_server, people["admin"])
    open_in_queue(page, live_server, axe_check, wand_request)
    page.get_by_role("button", name="Approve or reject").click()
    axe_check(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner, .govuk-body").first).to_be_visible()
    expect(page.get_by_text("is approved and its wands are reserved")).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, people["fulfilment"])
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    page.get_by_role("button", name="Record dispatch").click()
    axe_check(page)
    page.get_by_label("Courier").fill("Parcelforce")
    page.get_by_label("Tracking reference").fill("PF12345678")
    page.get_by_label("Serial numbers (optional)").fill("SN-1, SN-2, SN-3, SN-4")
    page.get_by_role("button", name="Record dispatch").click()
    expect(page.get_by_text("Dispatch recorded")).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, people["head"])
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("PF12345678")
    page.get_by_role("button", name="Confirm delivery").click()
    axe_check(page)
    page.get_by_role("button", name="Confirm delivery").click()
    expect(page.locator("#request-status")).to_have_text("Delivered")
    expect(page.get_by_role("heading", name="Delivery confirmed")).to_be_visible()
    axe_check(page)
    wand_request.refresh_from_db()
    assert wand_request.status == WandRequest.Status.DELIVERED
    assert StockLevel.objects.get().on_hand == 16


def test_admin_rejects_with_a_reason_the_school_sees(live_server, page, axe_check, people):
    sign_in_as(page, live_server, people["head"])
    wand_request = request_wands(page, live_server, axe_check, quantity="2")

    sign_in_as(page, live_server, people["admin"])
    open_in_queue(page, live_server, axe_check, wand_request)
    page.get_by_role("button", name="Approve or reject").click()
    page.get_by_label("Reject").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for rejecting the request")
    axe_check(page)
    page.get_by_label("Reason").fill("Your borough's own scheme already supplies wands to this school.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("The school has been told why")).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, people["head"])
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    expect(page.locator("#request-status")).to_have_text("Rejected")
    expect(page.locator(".govuk-inset-text")).to_contain_text("borough's own scheme")
    axe_check(page)


def test_stock_runs_out_request_waits_then_delivery_reserves_it(live_server, page, axe_check, people):
    sign_in_as(page, live_server, people["head"])
    wand_request = request_wands(page, live_server, axe_check, quantity="3")

    sign_in_as(page, live_server, people["admin"])
    open_in_queue(page, live_server, axe_check, wand_request)
    page.get_by_role("button", name="Approve or reject").click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is approved and waits for stock: 3 wands.")
    expect(page.locator("#request-status")).to_have_text("Approved, waiting for stock")
    axe_check(page)

    page.goto(live_server.url + "/wands/stock/")
    expect(page.get_by_role("heading", name="Waiting for stock, in approval order")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Record a delivery from the supplier").click()
    axe_check(page)
    page.get_by_label("Number of wands delivered").fill("10")
    page.get_by_label("Supplier's batch reference").fill("SUP-2026-07")
    page.get_by_role("button", name="Add to stock").click()
    expect(page.get_by_text(f"Reserved for waiting requests: {wand_request.reference}")).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, people["head"])
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    expect(page.locator("#request-status")).to_have_text("Approved")
    expect(page.get_by_role("heading", name="Approved: wands reserved")).to_be_visible()
    axe_check(page)


def test_replaced_faulty_wand_is_picked_up(live_server, page, axe_check, people):
    from wands import services

    head, admin, fulfilment = people["head"], people["admin"], people["fulfilment"]
    services.stock_delivery_record(actor=admin, quantity=10, batch="SUP-1")
    wand_request = services.wand_request_submit(
        actor=head,
        school=people["school"],
        quantity=2,
        contact_name="Sam Site",
        contact_phone="020 7946 0018",
        delivery_address="Laura Place\nLondon",
        delivery_postcode="E5 0RB",
        policy_confirmed=True,
    )
    services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    services.wand_request_dispatch(
        wand_request_id=wand_request.pk, actor=fulfilment, courier="DPD", tracking_reference="T1"
    )
    services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
    issue = services.wand_issue_report(
        wand_request_id=wand_request.pk, actor=head, kind="faulty", outcome="replacement", quantity=1, details="No beep"
    )
    services.wand_request_approve(wand_request_id=issue.replacement_id, actor=admin)

    sign_in_as(page, live_server, fulfilment)
    page.goto(f"{live_server.url}/wands/requests/{issue.replacement_id}/")
    page.get_by_role("button", name="Record dispatch").click()
    page.get_by_label("Courier").fill("DPD")
    page.get_by_label("Tracking reference").fill("T2")
    page.get_by_role("button", name="Record dispatch").click()
    expect(page.get_by_text("Dispatch recorded")).to_be_visible()

    sign_in_as(page, live_server, head)
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    expect(page.get_by_text("Pick-up arranged", exact=True)).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, fulfilment)
    page.goto(live_server.url + "/wands/returns/")
    expect(page.get_by_role("heading", name="Pick-ups")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=f"Mark collected for {wand_request.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faulty wands collected")
    axe_check(page)
    page.get_by_role("button", name="Mark collected").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether the collected wands work")
    axe_check(page)
    page.get_by_label("No, they are faulty: write them off").check()
    page.get_by_role("button", name="Mark collected").click()
    expect(page.get_by_text(f"Wands for {wand_request.reference} collected: written off")).to_be_visible()
    expect(page.get_by_text("No pick-ups are open.")).to_be_visible()
    axe_check(page)

    sign_in_as(page, live_server, head)
    page.goto(f"{live_server.url}/wands/requests/{wand_request.pk}/")
    expect(page.get_by_text("Collected", exact=True)).to_be_visible()
    axe_check(page)
