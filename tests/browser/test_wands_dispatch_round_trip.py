"""Fulfilment staff in the browser: download the dispatch list, fill in the rows being sent today, upload the same
file, and land on what was dispatched; a half-filled row is an error and nothing is sent. Axe on every state."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.wands.factories import fulfilment_staff
from wands import services
from wands.models import WandRequest

from .test_wands_journey import _reference_data, sign_in_as  # noqa: F401 - the autouse fixture and a helper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_three():
    admin = programme_admin()
    give_totp(admin)
    services.stock_delivery_record(actor=admin, quantity=20, batch="B-1")
    requests = []
    for number in range(3):
        school = SchoolFactory(name=f"Round Trip School {number}", number_of_pupils=1000, phase="secondary")
        head = headteacher_of(school)
        give_totp(head)
        wand_request = services.wand_request_submit(
            actor=head,
            school=school,
            quantity=2,
            contact_name="Sam Site",
            contact_phone="020 7946 0000",
            delivery_address="Main Office\r\n1 High Street\r\nLondon",
            delivery_postcode="E8 1AA",
            policy_confirmed=True,
        )
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        requests.append(wand_request)
    return requests


def _filled(download_path, how_many: int, *, only_courier_on: int | None = None) -> bytes:
    with open(download_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    for index, row in enumerate(body):
        if index < how_many:
            row[header.index("courier")], row[header.index("tracking")] = "DPD", f"T{index}"
        elif index == only_courier_on:
            row[header.index("courier")] = "DPD"
    out = io.StringIO()
    csv.writer(out).writerows([header, *body])
    return out.getvalue().encode("utf-8-sig")


def test_download_fill_two_upload_and_see_what_was_dispatched(live_server, page, axe_check, approved_three, tmp_path):
    fulfilment = fulfilment_staff(full_name="Fran Fulfilment")
    give_totp(fulfilment)
    sign_in_as(page, live_server, fulfilment)
    page.goto(live_server.url + "/wands/dispatch/upload/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispatch wands")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the dispatch list (CSV)").click()
    path = tmp_path / "wands-to-dispatch.csv"
    download.value.save_as(path)

    # A row with a courier but no tracking reference: nothing is dispatched, the line is named.
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": _filled(path, 1, only_courier_on=2)}],
    )
    page.get_by_role("button", name="Upload and dispatch").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was dispatched: 1 row needs fixing")
    expect(page.locator("table")).to_contain_text("tracking reference is missing")
    axe_check(page)
    assert not WandRequest.objects.filter(status="dispatched").exists()

    page.set_input_files(
        "input[type=file]", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": _filled(path, 2)}]
    )
    page.get_by_role("button", name="Upload and dispatch").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 requests dispatched.")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 row had no courier or tracking reference")
    table = page.get_by_role("table", name="Dispatched by this upload")
    expect(table.locator("tbody tr")).to_have_count(2)
    axe_check(page)
    assert WandRequest.objects.filter(status="dispatched").count() == 2
