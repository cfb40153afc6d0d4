"""Pick-up of replaced faulty wands: arranged when the replacement is dispatched, collected by fulfilment (back to
stock or written off through the ledger), seen by the school, audited at each step; and the audit record a return
taken in leaves of its own."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Conflict, DomainError
from core.models import AuditEvent
from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import services
from wands.models import StockLevel, StockMovement, WandIssue, WandRequest

from .conftest import with_two_factor
from .factories import WandIssueFactory

pytestmark = pytest.mark.django_db


def on_hand():
    return StockLevel.objects.get(pk=1).on_hand


def assert_ledger_matches_stock():
    totals = StockMovement.objects.aggregate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    level = StockLevel.objects.get(pk=1)
    assert (totals["on_hand"] or 0, totals["reserved"] or 0) == (level.on_hand, level.reserved)


def written():
    return (
        StockMovement.objects.count(),
        AuditEvent.objects.count(),
        WandIssue.objects.filter(pickup=WandIssue.Pickup.COLLECTED).count(),
    )


@pytest.fixture
def delivered(add_stock, submit, admin, fulfilment, head):
    add_stock(10)
    wand_request = submit(2)
    services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    services.wand_request_dispatch(
        wand_request_id=wand_request.pk, actor=fulfilment, courier="DPD", tracking_reference="T1"
    )
    services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
    return wand_request


def _report(delivered, head, *, kind="faulty", outcome="replacement"):
    return services.wand_issue_report(
        wand_request_id=delivered.pk, actor=head, kind=kind, outcome=outcome, quantity=1, details="Does not beep"
    )


def _send_replacement(issue, admin, fulfilment):
    services.wand_request_approve(wand_request_id=issue.replacement_id, actor=admin)
    services.wand_request_dispatch(
        wand_request_id=issue.replacement_id, actor=fulfilment, courier="DPD", tracking_reference="T2"
    )
    issue.refresh_from_db()
    return issue


@pytest.fixture
def pickup(delivered, head, admin, fulfilment):
    """Faulty wand reported, replacement approved and dispatched: its pick-up is arranged."""
    return _send_replacement(_report(delivered, head), admin, fulfilment)


class TestArranging:
    def test_dispatching_a_replacement_for_faulty_wands_arranges_a_pick_up_and_audits_it(
        self, delivered, head, admin, fulfilment
    ):
        issue = _report(delivered, head)
        assert issue.pickup == WandIssue.Pickup.NONE
        services.wand_request_approve(wand_request_id=issue.replacement_id, actor=admin)
        issue.refresh_from_db()
        assert issue.pickup == WandIssue.Pickup.NONE, "a pick-up waits for the replacement to be dispatched"
        services.wand_request_dispatch(
            wand_request_id=issue.replacement_id, actor=fulfilment, courier="DPD", tracking_reference="T2"
        )
        issue.refresh_from_db()
        assert issue.pickup == WandIssue.Pickup.ARRANGED and issue.pickup_arranged_at is not None
        event = AuditEvent.objects.get(verb="wand_issue.pickup_arranged")
        assert (event.from_state, event.to_state, event.actor) == ("none", "arranged", fulfilment)
        assert event.target_id == str(delivered.pk) and event.data["issue"] == issue.pk

    def test_a_dispatch_csv_arranges_the_pick_up_too(self, delivered, head, admin, fulfilment):
        issue = _report(delivered, head)
        services.wand_request_approve(wand_request_id=issue.replacement_id, actor=admin)
        reference = issue.replacement.reference
        services.dispatch_csv_apply(data=f"reference,courier,tracking\n{reference},DPD,T9\n".encode(), actor=fulfilment)
        issue.refresh_from_db()
        assert issue.pickup == WandIssue.Pickup.ARRANGED

    def test_a_replacement_for_missing_wands_arranges_no_pick_up(self, delivered, head, admin, fulfilment):
        issue = _send_replacement(_report(delivered, head, kind="missing"), admin, fulfilment)
        assert issue.replacement.status == WandRequest.Status.DISPATCHED
        assert issue.pickup == WandIssue.Pickup.NONE
        assert not AuditEvent.objects.filter(verb__startswith="wand_issue.pickup").exists()

    def test_the_database_refuses_a_pick_up_on_a_return(self, delivered, head):
        issue = _report(delivered, head, outcome="return")
        with pytest.raises(IntegrityError), transaction.atomic():
            WandIssue.objects.filter(pk=issue.pk).update(pickup=WandIssue.Pickup.ARRANGED)


class TestCollecting:
    def test_working_wands_go_back_to_stock(self, pickup, fulfilment):
        before = on_hand()
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=True)
        pickup.refresh_from_db()
        assert pickup.pickup == WandIssue.Pickup.COLLECTED
        assert pickup.pickup_collected_at is not None and pickup.resolved_at is not None
        assert on_hand() == before + 1
        assert StockMovement.objects.order_by("-id").first().kind == StockMovement.Kind.RETURN
        assert_ledger_matches_stock()
        event = AuditEvent.objects.get(verb="wand_issue.pickup_collected")
        assert (event.from_state, event.to_state, event.actor) == ("arranged", "collected", fulfilment)
        assert event.data["condition"] == "received_working"

    def test_faulty_wands_are_written_off_through_the_ledger(self, pickup, fulfilment):
        before = on_hand()
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=False)
        assert on_hand() == before
        kinds = list(StockMovement.objects.order_by("-id").values_list("kind", flat=True)[:2])
        assert kinds == [StockMovement.Kind.WRITE_OFF, StockMovement.Kind.RETURN]
        assert_ledger_matches_stock()
        assert AuditEvent.objects.get(verb="wand_issue.pickup_collected").data["condition"] == "received_faulty"

    def test_working_wands_collected_serve_a_request_waiting_for_stock(self, pickup, fulfilment, admin, rules):
        available = StockLevel.objects.get(pk=1).available
        if available:
            services.stock_write_off(actor=admin, quantity=available, note="Flood")
        other = SchoolFactory(number_of_pupils=900)
        waiting = services.wand_request_submit(
            actor=with_two_factor(headteacher_of(other)),
            school=other,
            quantity=1,
            contact_name="Sam",
            contact_phone="020 7946 0000",
            delivery_address="1 Road",
            delivery_postcode="E8 1AA",
            policy_confirmed=True,
        )
        services.wand_request_approve(wand_request_id=waiting.pk, actor=admin)
        waiting.refresh_from_db()
        assert waiting.status == WandRequest.Status.WAITING_FOR_STOCK
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=True)
        waiting.refresh_from_db()
        assert waiting.status == WandRequest.Status.APPROVED

    def test_collecting_twice_is_a_conflict_and_writes_nothing(self, pickup, fulfilment):
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=True)
        before = written()
        with pytest.raises(Conflict):
            services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=False)
        assert written() == before

    def test_only_fulfilment_collects(self, pickup, head, admin):
        before = written()
        for who in (head, admin):
            with pytest.raises(PermissionDenied):
                services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=who, working=True)
        assert written() == before

    def test_an_issue_without_a_pick_up_is_not_found(self, delivered, head, fulfilment):
        issue = _report(delivered, head)  # replacement not dispatched yet
        with pytest.raises(DomainError) as error:
            services.wand_issue_pickup_collected(issue_id=issue.pk, actor=fulfilment, working=True)
        assert error.value.code == "not_found"


class TestReturnReceivedAudit:
    @pytest.mark.parametrize(("working", "to_state"), [(True, "received_working"), (False, "received_faulty")])
    def test_taking_a_return_in_records_its_own_from_to(self, delivered, head, fulfilment, working, to_state):
        issue = _report(delivered, head, outcome="return")
        services.wand_issue_return_received(issue_id=issue.pk, actor=fulfilment, working=working)
        event = AuditEvent.objects.get(verb="wand_issue.return_received")
        assert (event.from_state, event.to_state, event.actor) == ("return_expected", to_state, fulfilment)
        assert event.target_id == str(delivered.pk)
        assert (event.data["issue"], event.data["quantity"], event.data["working"]) == (issue.pk, 1, working)

    def test_the_school_sees_the_return_received_in_its_timeline(self, client, delivered, head, fulfilment):
        issue = _report(delivered, head, outcome="return")
        services.wand_issue_return_received(issue_id=issue.pk, actor=fulfilment, working=False)
        client.force_login(head)
        body = client.get(reverse("wands:request_detail", kwargs={"pk": delivered.pk})).content.decode()
        assert "Returned wands received" in body and "Faulty: written off" in body
        assert fulfilment.email not in body


class TestPages:
    def _collect_url(self, issue):
        return reverse("wands:pickup_collected", kwargs={"pk": issue.pk})

    def test_fulfilment_sees_open_pick_ups_on_the_returns_page_and_collects_one(self, client, pickup, fulfilment):
        client.force_login(fulfilment)
        page = client.get(reverse("wands:returns"))
        assert list(page.context["pickups"]) == [pickup]
        assert self._collect_url(pickup) in page.content.decode()
        before = on_hand()
        response = client.post(self._collect_url(pickup), {"condition": "working"})
        assert response.status_code == 302 and response["Location"] == reverse("wands:returns")
        assert on_hand() == before + 1
        page = client.get(reverse("wands:returns"))
        assert not page.context["pickups"]
        assert "collected: back in stock" in page.content.decode()

    def test_no_choice_shows_the_error_summary_and_writes_nothing(self, client, pickup, fulfilment):
        client.force_login(fulfilment)
        before = written()
        page = client.post(self._collect_url(pickup), {})
        body = page.content.decode()
        assert page.status_code == 200
        assert "govuk-error-summary" in body and "Choose whether the collected wands work" in body
        page = client.post(self._collect_url(pickup), {"condition": "maybe"})
        assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
        assert written() == before

    def test_collecting_again_shows_the_conflict_not_a_500(self, client, pickup, fulfilment):
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=True)
        client.force_login(fulfilment)
        page = client.get(self._collect_url(pickup))
        assert page.status_code == 200 and "were collected on" in page.content.decode()

    def test_who_may_open_the_pick_up_page(self, client, pickup, head, admin):
        other_head = with_two_factor(headteacher_of(SchoolFactory()))
        for who, expected in ((other_head, 404), (head, 403), (admin, 403)):
            client.force_login(who)
            assert client.get(self._collect_url(pickup)).status_code == expected, who
            assert client.post(self._collect_url(pickup), {"condition": "working"}).status_code == expected, who
        assert not WandIssue.objects.filter(pickup=WandIssue.Pickup.COLLECTED).exists()

    def test_the_school_sees_pick_up_arranged_then_collected(self, client, pickup, head, fulfilment, delivered):
        client.force_login(head)
        url = reverse("wands:request_detail", kwargs={"pk": delivered.pk})
        body = client.get(url).content.decode()
        assert "Pick-up arranged" in body and "Pick-up of the faulty wands arranged" in body
        services.wand_issue_pickup_collected(issue_id=pickup.pk, actor=fulfilment, working=False)
        body = client.get(url).content.decode()
        assert "Collected" in body and "Faulty wands collected" in body and "Pick-up arranged<" not in body
        assert fulfilment.email not in body, "schools see the programme team, not its people"


def test_returns_page_queries_do_not_grow_with_pick_ups(client, fulfilment, rules):
    def count():
        client.force_login(fulfilment)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("wands:returns"))
            assert page.status_code == 200
        return len(captured), len(page.context["pickups"])

    WandIssueFactory(pickup_arranged=True)
    count()  # the first page of a session caches its user's roles
    few = count()
    WandIssueFactory.create_batch(6, pickup_arranged=True)
    many = count()
    assert (few[1], many[1]) == (1, 7)
    assert few[0] == many[0]


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def _url(self, pk):
        return reverse("wands-api:pickup-collected", kwargs={"pk": pk})

    def _post(self, api, user, pk, body):
        api.force_authenticate(user)
        before = written()
        response = api.post(self._url(pk), body, format="json") if body is not None else api.post(self._url(pk))
        assert written() == before, "a refused call wrote something"
        return response

    @pytest.mark.parametrize("body", [{}, {"working": "perhaps"}, None], ids=["empty", "not-a-boolean", "no-body"])
    def test_404_for_who_may_not_see_then_403_for_who_may_not_act_before_the_body(self, api, pickup, head, admin, body):
        other_head = with_two_factor(headteacher_of(SchoolFactory()))
        assert self._post(api, other_head, pickup.pk, body).status_code == 404
        assert self._post(api, head, pickup.pk, body).status_code == 403
        assert self._post(api, admin, pickup.pk, body).status_code == 403

    def test_fulfilment_gets_field_errors_then_collects_then_a_conflict(self, api, pickup, fulfilment):
        response = self._post(api, fulfilment, pickup.pk, {"working": "perhaps"})
        assert response.status_code == 400 and "working" in response.json()["errors"]
        api.force_authenticate(fulfilment)
        before = on_hand()
        response = api.post(self._url(pickup.pk), {"working": True}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["pickup"] == "collected" and response.json()["pickup_collected_at"]
        assert on_hand() == before + 1
        response = self._post(api, fulfilment, pickup.pk, {"working": False})
        assert response.status_code == 409
        assert "already been collected" in response.json()["errors"]["non_field_errors"][0]

    def test_an_issue_without_a_pick_up_is_404_even_for_fulfilment(self, api, delivered, head, fulfilment):
        issue = _report(delivered, head)
        assert self._post(api, fulfilment, issue.pk, {"working": True}).status_code == 404
        assert self._post(api, fulfilment, 999_999, {"working": True}).status_code == 404

    def test_the_endpoint_is_in_the_openapi_schema(self, api, fulfilment):
        api.force_authenticate(fulfilment)
        schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
        operation = schema["paths"]["/api/v1/wands/pickups/{id}/collected/"]["post"]
        assert "200" in operation["responses"]
