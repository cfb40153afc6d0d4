"""The wands pages, through HTTP: the school's journey, the admin's decisions, fulfilment's uploads, scoping."""

import pytest
from django.urls import reverse

from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import services
from wands.models import StockLevel, WandRequest

from .factories import WandRequestFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "quantity": "3",
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "delivery_address": "1 High Street\nLondon",
        "delivery_postcode": "E8 1AA",
        "policy_confirmed": "on",
    }
    data.update(overrides)
    return data


class TestSchoolJourney:
    def test_allowance_page(self, client, head, school):
        client.force_login(head)
        page = client.get(reverse("wands:home"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Left to request" in body and ">6<" in body
        # Submitted requests are not "on their way": the allowance says what it counts.
        assert "Requested, not yet received" in body and "on their way" not in body
        assert reverse("wands:request_new", kwargs={"urn": school.pk}) in body

    def test_form_defaults_to_register_address(self, client, head, school):
        client.force_login(head)
        page = client.get(reverse("wands:request_new", kwargs={"urn": school.pk}))
        assert "1 High Street" in page.content.decode()

    def test_request_check_confirm(self, client, head, school):
        client.force_login(head)
        url = reverse("wands:request_new", kwargs={"urn": school.pk})
        response = client.post(url, form_data())
        assert response["Location"] == reverse("wands:request_check", kwargs={"urn": school.pk})
        check = client.get(response["Location"])
        assert "Check your answers" in check.content.decode()
        key = check.context["draft"]["idempotency_key"]
        sent = client.post(response["Location"], {"idempotency_key": key})
        wand_request = WandRequest.objects.get()
        assert sent["Location"] == reverse("wands:request_confirmation", kwargs={"pk": wand_request.pk})
        confirmation = client.get(sent["Location"])
        assert wand_request.reference in confirmation.content.decode()
        # Back button and send again, or a double click: still one request, same confirmation.
        again = client.post(response["Location"], {"idempotency_key": key})
        assert again["Location"] == sent["Location"]
        assert WandRequest.objects.count() == 1

    @pytest.mark.parametrize(
        ("quantity", "message"),
        [("0", "1 or more"), ("-2", "1 or more"), ("ten", "whole number"), ("7", "6 or fewer"), ("", "Enter")],
    )
    def test_bad_quantity_shows_error_summary(self, client, head, school, quantity, message):
        client.force_login(head)
        page = client.post(reverse("wands:request_new", kwargs={"urn": school.pk}), form_data(quantity=quantity))
        assert page.status_code == 200
        body = page.content.decode()
        assert "There is a problem" in body and message in body and 'href="#id_quantity"' in body
        assert not WandRequest.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("delivery_postcode", "N16", "Enter a full UK postcode, like N16 5AG"),
            ("delivery_postcode", "London", "Enter a full UK postcode, like N16 5AG"),
            ("contact_phone", "call reception", "Enter a UK phone number, like 020 7946 0000"),
            ("contact_phone", "12345", "Enter a UK phone number, like 020 7946 0000"),
        ],
    )
    def test_a_postcode_or_phone_the_courier_cannot_use_is_refused_on_the_first_page(
        self, client, head, school, field, value, message
    ):
        """Walked as a headteacher: "N16" and "call reception" passed the form and check answers."""
        client.force_login(head)
        page = client.post(reverse("wands:request_new", kwargs={"urn": school.pk}), form_data(**{field: value}))
        body = page.content.decode()
        assert page.status_code == 200 and "There is a problem" in body and message in body
        assert f'href="#id_{field}"' in body and not WandRequest.objects.exists()

    def test_check_answers_shows_the_postcode_as_it_will_be_sent(self, client, head, school):
        client.force_login(head)
        url = reverse("wands:request_new", kwargs={"urn": school.pk})
        response = client.post(url, form_data(delivery_postcode="n165ag", contact_phone=" 020  7946 0000 "))
        check = client.get(response["Location"]).content.decode()
        assert "N16 5AG" in check and "n165ag" not in check and "020 7946 0000" in check

    def test_policy_confirmation_required(self, client, head, school):
        client.force_login(head)
        data = form_data()
        del data["policy_confirmed"]
        page = client.post(reverse("wands:request_new", kwargs={"urn": school.pk}), data)
        assert "behaviour policy" in page.content.decode() and page.status_code == 200

    def test_other_schools_request_is_404(self, client, head, rules):
        other = WandRequestFactory(school=SchoolFactory())
        client.force_login(head)
        assert client.get(reverse("wands:request_detail", kwargs={"pk": other.pk})).status_code == 404
        assert client.get(reverse("wands:request_new", kwargs={"urn": other.school_id})).status_code == 404

    def test_timeline_and_cancel(self, client, head, submit):
        wand_request = submit(2)
        client.force_login(head)
        page = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk}))
        assert "Request submitted" in page.content.decode()
        response = client.post(reverse("wands:request_cancel", kwargs={"pk": wand_request.pk}), {"reason": "No need"})
        assert response.status_code == 302
        wand_request.refresh_from_db()
        assert wand_request.status == WandRequest.Status.CANCELLED
        page = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk}))
        assert "Cancelled" in page.content.decode() and "No need" in page.content.decode()


class TestProgrammePages:
    def test_reject_needs_reason_then_school_sees_it(self, client, admin, head, submit):
        wand_request = submit(2)
        client.force_login(admin)
        url = reverse("wands:request_decide", kwargs={"pk": wand_request.pk})
        page = client.post(url, {"decision": "reject", "reason": ""})
        assert "Enter the reason" in page.content.decode()
        client.post(url, {"decision": "reject", "reason": "Covered by the borough's scheme"})
        client.force_login(head)
        page = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk}))
        assert "Covered by the borough&#x27;s scheme" in page.content.decode()
        assert "by the programme team" in page.content.decode() and admin.email not in page.content.decode()

    def test_approve_when_another_admin_rejected_shows_error(self, client, admin, submit):
        wand_request = submit(2)
        services.wand_request_reject(wand_request_id=wand_request.pk, actor=admin, reason="No")
        client.force_login(admin)
        page = client.post(reverse("wands:request_decide", kwargs={"pk": wand_request.pk}), {"decision": "approve"})
        assert page.status_code == 200
        assert "already rejected" in page.content.decode()

    def test_approve_short_stock_says_how_many_missing(self, client, admin, submit):
        wand_request = submit(3)
        client.force_login(admin)
        response = client.post(
            reverse("wands:request_decide", kwargs={"pk": wand_request.pk}), {"decision": "approve"}, follow=True
        )
        assert "is approved and waits for stock: 3 wands." in response.content.decode()

    def test_queue_filters_and_bulk_approve(self, client, admin, add_stock, rules):
        add_stock(10)
        hackney = WandRequestFactory.create_batch(2, school=SchoolFactory())
        camden = WandRequestFactory(school=SchoolFactory(local_authority_id=202))
        client.force_login(admin)
        page = client.get(reverse("wands:queue"))
        assert len(page.context["page"].object_list) == 3
        page = client.get(reverse("wands:queue"), {"borough": 202})
        assert [r.pk for r in page.context["page"].object_list] == [camden.pk]
        page = client.get(reverse("wands:queue"), {"status": "nonsense"})
        assert page.status_code == 200 and "There is a problem" in page.content.decode()
        client.post(reverse("wands:approve_many"), {"requests": [r.pk for r in hackney]})
        assert set(WandRequest.objects.filter(pk__in=[r.pk for r in hackney]).values_list("status", flat=True)) == {
            "approved"
        }
        assert StockLevel.objects.get().reserved == 4

    def test_dispatch_csv_problems_listed(self, client, fulfilment, admin, add_stock, rules):
        add_stock(5)
        wand_request = WandRequestFactory(quantity=2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        client.force_login(fulfilment)
        listing = client.get(reverse("wands:dispatch_list_csv"))
        assert wand_request.reference in b"".join(listing.streaming_content).decode("utf-8-sig")
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile(
            "d.csv", f"reference,courier,tracking\n{wand_request.reference},DPD,T1\nKW-424242,DPD,T2\n".encode()
        )
        page = client.post(reverse("wands:dispatch_upload"), {"file": bad})
        body = page.content.decode()
        assert "Nothing was dispatched" in body and "KW-424242" in body and ">3<" in body
        wand_request.refresh_from_db()
        assert wand_request.status == WandRequest.Status.APPROVED

    def test_dashboard_and_export(self, client, admin, rules):
        WandRequestFactory(approved=True, school=SchoolFactory(name="=HYPERLINK(1)"))
        client.force_login(admin)
        page = client.get(reverse("wands:dashboard"))
        assert page.status_code == 200
        assert page.context["figures"]["schools_taken_up"] == 1
        export = b"".join(client.get(reverse("wands:export_csv")).streaming_content).decode("utf-8-sig")
        assert "'=HYPERLINK(1)" in export

    def test_school_allowance_override(self, client, admin, school):
        client.force_login(admin)
        url = reverse("wands:school_allowance", kwargs={"urn": school.pk})
        page = client.post(url, {"override": "9", "reason": ""})
        assert "Enter why" in page.content.decode() or "required" in page.content.decode()
        client.post(url, {"override": "9", "reason": "Large sixth form"})
        page = client.get(url)
        assert "Large sixth form" in page.content.decode()


def bulk_requests(n):
    schools = [SchoolFactory() for _ in range(5)]
    WandRequest.objects.bulk_create(
        [
            WandRequest(
                school=schools[i % 5],
                quantity=1,
                contact_name="A",
                contact_phone="020 7946 0000",
                delivery_address="x",
                delivery_postcode="E1 1AA",
                policy_confirmed=True,
            )
            for i in range(n)
        ]
    )


def queries_for(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_issues_the_same_queries_at_10_and_5000_requests(client, admin, rules):
    client.force_login(admin)
    url = reverse("wands:queue")
    bulk_requests(10)
    client.get(url)  # warm per-process caches (content types)
    bulk_requests(1)  # a write, as below: each view counts its total afresh (the table's version moved)
    small = queries_for(client, url)
    bulk_requests(4989)
    assert WandRequest.objects.count() == 5000
    assert queries_for(client, url) == small


class TestMorePages:
    @pytest.fixture
    def delivered(self, submit, admin, fulfilment, head, add_stock):
        add_stock(5)
        wand_request = submit(2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        services.wand_request_dispatch(
            wand_request_id=wand_request.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
        )
        services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
        return wand_request

    def test_report_issue_and_take_the_return_in(self, client, head, fulfilment, delivered):
        client.force_login(head)
        url = reverse("wands:request_report_issue", kwargs={"pk": delivered.pk})
        page = client.post(url, {"kind": "faulty", "quantity": "3", "outcome": "return", "details": "x"})
        assert "2 or fewer" in page.content.decode()
        response = client.post(url, {"kind": "faulty", "quantity": "1", "outcome": "return", "details": "No beep"})
        assert response.status_code == 302
        client.force_login(fulfilment)
        page = client.get(reverse("wands:returns"))
        issue = page.context["returns"][0]
        assert "No beep" in page.content.decode()
        client.post(reverse("wands:returns"), {"issue": issue.pk, "condition": "working"})
        assert StockLevel.objects.get().on_hand == 4
        assert not client.get(reverse("wands:returns")).context["returns"]

    def test_replacement_issue_links_new_request(self, client, head, delivered):
        client.force_login(head)
        response = client.post(
            reverse("wands:request_report_issue", kwargs={"pk": delivered.pk}),
            {"kind": "missing", "quantity": "1", "outcome": "replacement", "details": "Box had one"},
            follow=True,
        )
        replacement = WandRequest.objects.get(replaces=delivered)
        assert f"Replacement request {replacement.reference} is open" in response.content.decode()

    def test_stock_delivery_and_write_off_pages(self, client, admin):
        client.force_login(admin)
        page = client.post(reverse("wands:stock_delivery"), {"quantity": "abc", "batch": "B"})
        assert "whole number" in page.content.decode()
        client.post(reverse("wands:stock_delivery"), {"quantity": "12", "batch": "SUP-9"})
        page = client.post(reverse("wands:stock_write_off"), {"quantity": "20", "note": "Lost"})
        assert "Only 12 wands" in page.content.decode()
        client.post(reverse("wands:stock_write_off"), {"quantity": "2", "note": "Lost"})
        page = client.get(reverse("wands:stock"))
        assert page.context["level"].on_hand == 10 and "SUP-9" in page.content.decode()

    def test_existing_import_page_lists_bad_rows(self, client, admin, school):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(admin)
        bad = SimpleUploadedFile("e.csv", f"urn,quantity,date\n{school.pk},2,2024-01-01\n123,1,2024-01-01\n".encode())
        page = client.post(reverse("wands:existing_import"), {"file": bad})
        assert "Nothing was imported" in page.content.decode() and "URN 123" in page.content.decode()
        good = SimpleUploadedFile("e.csv", f"urn,quantity,date\n{school.pk},2,2024-01-01\n".encode())
        assert client.post(reverse("wands:existing_import"), {"file": good}).status_code == 302

    def test_allowance_rule_page(self, client, admin, school):
        client.force_login(admin)
        page = client.post(reverse("wands:allowance_rules"), {"phase": "secondary", "min_pupils": "x", "wands": "5"})
        assert "whole number" in page.content.decode()
        client.post(
            reverse("wands:allowance_rules"),
            {"phase": "secondary", "min_pupils": "750", "wands": "8", "reason": "New funding"},
        )
        from wands.selectors import school_allowance_figures

        assert school_allowance_figures(school=school).allowance == 8

    def test_staff_without_duty_cannot_reach_wands(self, client, school):
        from tests.accounts.factories import SchoolMembershipFactory

        client.force_login(SchoolMembershipFactory(school=school).user)
        assert client.get(reverse("wands:home")).status_code == 403


def test_closed_school_is_told_it_cannot_request(client, rules):
    from tests.accounts.test_identity_support import give_totp

    closed = SchoolFactory(closed=True)
    head = headteacher_of(closed)
    give_totp(head)
    client.force_login(head)
    response = client.get(reverse("wands:request_new", kwargs={"urn": closed.pk}), follow=True)
    body = response.content.decode()
    assert "is closed in the schools register" in body
    assert 'class="govuk-button govuk-button--start"' not in body


def test_school_home_page_queries_are_few_and_constant(client, head, school, django_assert_max_num_queries):
    """A school's own requests (`/wands/`): its lineage read once for the allowance and the list, the list in one
    query however many requests. 13 here: the person's schools are read from their facts (wands.selectors.
    wand_school_urns), which a test's open transaction never stores (one query for the URNs, one for the schools;
    outside a test the facts are cached and the list is in the page's cached fragment). A query per request or a
    second lineage fails."""
    client.force_login(head)
    WandRequestFactory(school=school)
    client.get(reverse("wands:home"))
    with django_assert_max_num_queries(13) as few:
        assert client.get(reverse("wands:home")).status_code == 200
    for _ in range(8):
        WandRequestFactory(school=school)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(reverse("wands:home")).content.decode()
    assert body.count(reverse("wands:request_detail", kwargs={"pk": WandRequest.objects.latest("id").pk})) >= 1
