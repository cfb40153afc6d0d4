"""Fulfilment downloads the dispatch list, fills in the rows being dispatched, uploads the same file (issue 16)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import services
from wands.models import WandRequest

from .conftest import with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_approved(admin, add_stock, rules):
    add_stock(50)
    requests = []
    for number in range(5):
        school = SchoolFactory(phase="secondary", number_of_pupils=900)
        head_of = _head(school)
        wand_request = services.wand_request_submit(
            actor=head_of,
            school=school,
            quantity=2,
            contact_name=f"Sam\r\nSite {number}",
            contact_phone="020 7946 0000",
            delivery_address="Main Office\r\n1 High Street\r\rHackney\rLondon",
            delivery_postcode="e8 1aa\r\n",
            policy_confirmed=True,
        )
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        requests.append(wand_request)
    return requests


def _head(school):
    return with_two_factor(headteacher_of(school))


def _download(client) -> tuple[list[str], list[list[str]]]:
    response = client.get(reverse("wands:dispatch_list_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def _fill(header, rows, how_many) -> bytes:
    courier, tracking = header.index("courier"), header.index("tracking")
    for number, row in enumerate(rows[:how_many]):
        row[courier], row[tracking] = "DPD", f"TRACK-{number}"
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return ("\ufeff" + out.getvalue()).encode()


def test_addresses_are_stored_and_exported_one_clean_line_per_part(client, fulfilment, five_approved):
    stored = WandRequest.objects.get(pk=five_approved[0].pk)
    assert stored.delivery_address == "Main Office\n1 High Street\nHackney\nLondon"
    assert (stored.contact_name, stored.delivery_postcode) == ("Sam Site 0", "E8 1AA")
    client.force_login(fulfilment)
    header, rows = _download(client)
    assert header[6:10] == ["address_line_1", "address_line_2", "address_line_3", "address_line_4"]
    assert rows[0][6:11] == ["Main Office", "1 High Street", "Hackney", "London", "E8 1AA"]
    assert not any("\r" in cell or "\n" in cell for row in rows for cell in row)


def test_old_addresses_with_carriage_returns_are_exported_clean(client, fulfilment, five_approved):
    WandRequest.objects.filter(pk=five_approved[0].pk).update(
        delivery_address="1 High St\r\nLondon\r", contact_name="A\rB"
    )
    client.force_login(fulfilment)
    _, rows = _download(client)
    assert not any("\r" in cell or "\n" in cell for row in rows for cell in row)


def test_round_trip_on_the_page_dispatches_the_filled_rows_and_lists_them(client, fulfilment, five_approved):
    client.force_login(fulfilment)
    header, rows = _download(client)
    assert len(rows) == 5
    filled = [row[0] for row in rows[:2]]
    response = client.post(
        reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("wands-to-dispatch.csv", _fill(header, rows, 2))}
    )
    assert response.status_code == 302 and response.url == reverse("wands:dispatch_upload")
    dispatched = set(WandRequest.objects.filter(status="dispatched").values_list("pk", flat=True))
    assert dispatched == {wand_request.pk for wand_request in five_approved if wand_request.reference in filled}
    assert WandRequest.objects.filter(status="approved").count() == 3

    page = client.get(response.url)
    body = page.content.decode()
    assert "2 requests dispatched." in body and "3 rows had no courier or tracking reference" in body
    assert [r.reference for r in page.context["dispatched"]] == sorted(filled)
    for reference in filled:
        assert reference in body
    # The list is shown once: reloading the page does not show it again.
    assert client.get(response.url).context["dispatched"] == []
    assert "govuk-notification-banner--success" in body
    # The same file again changes nothing, and says so without a "Success" banner.
    again = client.post(
        reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("wands-to-dispatch.csv", _fill(header, rows, 2))}
    )
    body = client.get(again.url).content.decode()
    assert "No requests were dispatched by this upload." in body and "2 rows had already been dispatched" in body
    assert "govuk-notification-banner--success" not in body and ">Success<" not in body


def test_round_trip_over_the_api(fulfilment, five_approved, client):
    from rest_framework.test import APIClient

    client.force_login(fulfilment)
    header, rows = _download(client)
    api = APIClient()
    api.force_authenticate(fulfilment)
    response = api.post(
        reverse("wands-api:dispatch-csv"),
        {"file": SimpleUploadedFile("d.csv", _fill(header, rows, 2))},
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["dispatched"]) == 2 and body["not_dispatched_yet"] == 3


def test_a_row_with_only_courier_or_only_tracking_rejects_the_file(client, fulfilment, five_approved):
    client.force_login(fulfilment)
    header, rows = _download(client)
    rows[0][header.index("courier")], rows[0][header.index("tracking")] = "DPD", "T1"
    rows[1][header.index("courier")] = "DPD"
    rows[2][header.index("tracking")] = "T3"
    data = _fill(header, rows, 0)
    with pytest.raises(services.CsvRejected) as error:
        services.dispatch_csv_apply(data=data, actor=fulfilment)
    assert [line for line, _ in error.value.problems] == [3, 4]
    assert "tracking reference is missing" in error.value.problems[0].message
    assert "courier is missing" in error.value.problems[1].message
    assert not WandRequest.objects.filter(status="dispatched").exists()


def test_a_file_with_no_row_filled_in_dispatches_nothing_and_says_so(client, fulfilment, five_approved):
    client.force_login(fulfilment)
    header, rows = _download(client)
    response = client.post(
        reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", _fill(header, rows, 0))}
    )
    assert response.status_code == 200
    assert "no row has a courier and a tracking reference" in response.content.decode()
    assert not WandRequest.objects.filter(status="dispatched").exists()


def test_the_dispatched_list_costs_the_same_queries_for_one_or_four(client, fulfilment, five_approved):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(fulfilment)

    def queries_after_dispatching(requests) -> int:
        data = "reference,courier,tracking\r\n" + "".join(f"{r.reference},DPD,T{r.pk}\r\n" for r in requests)
        response = client.post(reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", data.encode())})
        assert response.status_code == 302
        with CaptureQueriesContext(connection) as captured:
            page = client.get(response.url)
        assert len(page.context["dispatched"]) == len(requests)
        return len(captured)

    assert queries_after_dispatching(five_approved[:1]) == queries_after_dispatching(five_approved[1:])


def test_courier_and_tracking_with_line_breaks_are_stored_on_one_line(fulfilment, five_approved):
    first = five_approved[0]
    data = f'reference,courier,tracking\r\n{first.reference},"Royal\r\nMail","AB\r12"\r\n'.encode()
    services.dispatch_csv_apply(data=data, actor=fulfilment)
    first.refresh_from_db()
    assert (first.courier, first.tracking_reference) == ("Royal Mail", "AB 12")


def test_the_same_file_uploaded_again_with_more_rows_dispatches_only_the_new_ones(client, fulfilment, five_approved):
    """Fulfilment keep filling in the list they downloaded: rows an earlier upload dispatched (same courier and
    tracking) are left as they are and counted, the newly filled rows are dispatched."""
    client.force_login(fulfilment)
    header, rows = _download(client)
    first = client.post(reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", _fill(header, rows, 2))})
    assert first.status_code == 302
    client.get(first.url)  # the result page, shown once
    again = client.post(reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", _fill(header, rows, 3))})
    assert again.status_code == 302, again.content.decode()[:500]
    page = client.get(again.url)
    body = page.content.decode()
    assert "1 request dispatched." in body
    assert "2 rows had already been dispatched by an earlier upload" in body
    assert "2 rows had no courier or tracking reference" in body
    assert WandRequest.objects.filter(status="dispatched").count() == 3
    assert len(page.context["dispatched"]) == 1


def test_the_same_file_again_with_nothing_new_changes_nothing_and_says_so(fulfilment, five_approved, client):
    from rest_framework.test import APIClient

    client.force_login(fulfilment)
    header, rows = _download(client)
    data = _fill(header, rows, 2)
    api = APIClient()
    api.force_authenticate(fulfilment)
    url = reverse("wands-api:dispatch-csv")
    api.post(url, {"file": SimpleUploadedFile("d.csv", data)}, format="multipart")
    dispatched_at = dict(WandRequest.objects.filter(status="dispatched").values_list("pk", "dispatched_at"))
    response = api.post(url, {"file": SimpleUploadedFile("d.csv", data)}, format="multipart")
    assert response.status_code == 200
    assert response.json() | {"dispatched": []} == {"dispatched": [], "not_dispatched_yet": 3, "already_dispatched": 2}
    assert dict(WandRequest.objects.filter(status="dispatched").values_list("pk", "dispatched_at")) == dispatched_at


def test_a_dispatched_row_with_a_different_tracking_reference_is_still_an_error(client, fulfilment, five_approved):
    client.force_login(fulfilment)
    header, rows = _download(client)
    client.post(reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", _fill(header, rows, 1))})
    rows[0][header.index("tracking")] = "SOMETHING-ELSE"
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    response = client.post(
        reverse("wands:dispatch_upload"), {"file": SimpleUploadedFile("d.csv", out.getvalue().encode())}
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert WandRequest.objects.filter(status="dispatched").count() == 1
