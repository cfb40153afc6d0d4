"""The wands API: same rules as the pages, 400 with field errors, 409 for state conflicts, scoped lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.factories import SchoolFactory
from wands import services
from wands.models import AllowanceRule, StockLevel, WandRequest

from .factories import WandRequestFactory
from .test_views import bulk_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def payload(school, **overrides):
    data = {
        "school_urn": school.pk,
        "quantity": 2,
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "policy_confirmed": True,
    }
    data.update(overrides)
    return data


def test_create_is_idempotent_and_uses_register_address(api, head, school):
    api.force_authenticate(head)
    url = reverse("wands-api:requests")
    first = api.post(url, payload(school), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201, first.json()
    assert first.json()["reference"].startswith("KW-")
    assert first.json()["delivery_postcode"] == "E8 1AA"
    again = api.post(url, payload(school), format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    # A replay answers exactly like the original (issue 17): 201 and the same body, marked as a replay.
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WandRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("quantity", "fragment"), [(0, "greater than or equal to 1"), (-3, "greater than"), ("many", "valid integer")]
)
def test_bad_quantity_is_400_with_field_errors(api, head, school, quantity, fragment):
    api.force_authenticate(head)
    response = api.post(reverse("wands-api:requests"), payload(school, quantity=quantity), format="json")
    assert response.status_code == 400
    assert fragment in response.json()["errors"]["quantity"][0]


def test_above_allowance_is_400_on_quantity(api, head, school):
    api.force_authenticate(head)
    response = api.post(reverse("wands-api:requests"), payload(school, quantity=7), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "allowance_exceeded"
    assert "6 or fewer" in response.json()["errors"]["quantity"][0]
    assert not WandRequest.objects.exists()


def test_other_school_is_400_and_its_requests_404(api, head, rules):
    other_school = SchoolFactory()
    other = WandRequestFactory(school=other_school)
    api.force_authenticate(head)
    response = api.post(reverse("wands-api:requests"), payload(other_school), format="json")
    assert response.status_code == 400 and "school_urn" in response.json()["errors"]
    assert api.get(reverse("wands-api:request", kwargs={"pk": other.pk})).status_code == 404
    assert api.post(reverse("wands-api:cancel", kwargs={"pk": other.pk}), {}, format="json").status_code == 404
    assert api.get(reverse("wands-api:requests")).json()["results"] == []


def test_approving_a_rejected_request_is_409(api, admin, submit):
    wand_request = submit(2)
    services.wand_request_reject(wand_request_id=wand_request.pk, actor=admin, reason="Duplicate")
    api.force_authenticate(admin)
    response = api.post(reverse("wands-api:approve", kwargs={"pk": wand_request.pk}), {}, format="json")
    assert response.status_code == 409
    assert "already rejected" in response.json()["errors"]["non_field_errors"][0]


def test_approve_short_stock_reports_wands_short(api, admin, submit):
    wand_request = submit(3)
    api.force_authenticate(admin)
    response = api.post(reverse("wands-api:approve", kwargs={"pk": wand_request.pk}), {}, format="json")
    assert response.status_code == 200
    assert response.json()["reserved"] is False and response.json()["wands_short"] == 3
    assert response.json()["request"]["status"] == "waiting_for_stock"
    delivered = api.post(reverse("wands-api:stock-movements"), {"quantity": 5, "batch": "B7"}, format="json")
    assert delivered.status_code == 201
    assert api.get(reverse("wands-api:request", kwargs={"pk": wand_request.pk})).json()["status"] == "approved"
    assert api.get(reverse("wands-api:stock")).json() == {"on_hand": 5, "reserved": 3, "available": 2, "wands_short": 0}


def test_school_cannot_approve(api, head, submit):
    wand_request = submit(1)
    api.force_authenticate(head)
    assert api.post(reverse("wands-api:approve", kwargs={"pk": wand_request.pk}), {}, format="json").status_code == 403


def test_dispatch_more_serials_than_approved_is_400(api, admin, fulfilment, submit, add_stock):
    add_stock(5)
    wand_request = submit(1)
    services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    api.force_authenticate(fulfilment)
    response = api.post(
        reverse("wands-api:dispatch", kwargs={"pk": wand_request.pk}),
        {"courier": "DPD", "tracking_reference": "T", "serials": ["A", "B"]},
        format="json",
    )
    assert response.status_code == 400 and "only 1 wands were approved" in response.json()["errors"]["serials"][0]
    assert StockLevel.objects.get().reserved == 1


def test_dispatch_csv_rows_listed(api, fulfilment):
    api.force_authenticate(fulfilment)
    upload = SimpleUploadedFile("d.csv", b"reference,courier,tracking\nKW-000999,DPD,T\nnonsense,,\nnonsense,DPD,\n")
    response = api.post(reverse("wands-api:dispatch-csv"), {"file": upload}, format="multipart")
    assert response.status_code == 400
    # A row with neither courier nor tracking is "not dispatched yet", but its reference must still be a request.
    assert [row["line"] for row in response.json()["rows"]] == [2, 3, 4, 4]


def test_allowance_and_override(api, admin, head, school):
    api.force_authenticate(head)
    assert api.get(reverse("wands-api:allowance", kwargs={"urn": school.pk})).json()["remaining"] == 6
    assert (
        api.post(
            reverse("wands-api:allowance", kwargs={"urn": school.pk}), {"override": 9, "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    api.force_authenticate(admin)
    response = api.post(
        reverse("wands-api:allowance", kwargs={"urn": school.pk}), {"override": 9, "reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = api.post(
        reverse("wands-api:allowance", kwargs={"urn": school.pk}), {"override": 9, "reason": "Two sites"}, format="json"
    )
    assert response.json()["allowance"] == 9


def test_schema_lists_wand_endpoints(api):
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/wands/requests/" in schema and "/api/v1/wands/dispatch-csv/" in schema


def test_list_issues_the_same_queries_at_10_and_5000_requests(api, admin, rules):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.force_authenticate(admin)
    url = reverse("wands-api:requests")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url, {"status": "submitted"})
            assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    bulk_requests(10)
    api.get(url)
    small, rows_small = count()
    bulk_requests(4990)
    large, rows_large = count()
    assert (rows_small, rows_large) == (10, 50)
    assert small == large


def test_allowance_rule_and_return_over_the_api(api, admin, fulfilment, head, school, submit, add_stock):
    api.force_authenticate(head)
    assert api.get(reverse("wands-api:allowance-rules")).status_code == 403
    api.force_authenticate(admin)
    response = api.post(
        reverse("wands-api:allowance-rules"),
        {"phase": "secondary", "min_pupils": 750, "wands": 7, "reason": "More funding"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api.get(reverse("wands-api:allowance", kwargs={"urn": school.pk})).json()["allowance"] == 7
    add_stock(3)
    wand_request = submit(2)
    services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    services.wand_request_dispatch(
        wand_request_id=wand_request.pk, actor=fulfilment, courier="D", tracking_reference="T"
    )
    services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
    api.force_authenticate(head)
    issue = api.post(
        reverse("wands-api:report-issue", kwargs={"pk": wand_request.pk}),
        {"kind": "faulty", "outcome": "return", "quantity": 1, "details": "Cracked"},
        format="json",
    )
    assert issue.status_code == 201
    api.force_authenticate(fulfilment)
    url = reverse("wands-api:return-received", kwargs={"pk": issue.json()["id"]})
    assert api.post(url, {"working": False}, format="json").status_code == 200
    assert api.post(url, {"working": False}, format="json").status_code == 409
    assert StockLevel.objects.get().on_hand == 1


def test_allowance_rule_without_its_band_is_a_400_not_a_500(api, admin):
    """Found by schemathesis: a band named by wands and reason alone crashed the service call."""
    api.force_authenticate(admin)
    before = AllowanceRule.objects.count()
    response = api.post(reverse("wands-api:allowance-rules"), {"wands": 0, "reason": "0"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"phase", "min_pupils"}
    assert AllowanceRule.objects.count() == before
