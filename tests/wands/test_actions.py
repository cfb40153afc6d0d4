"""WandRequest.ACTIONS and WandIssue.NEXT: which actions each status opens to each role (the declaration the request
page offers and the action pages refuse by), and the issue workflow the services move along."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import InvalidTransition
from core.models import AuditEvent
from core.workflow import open_actions, require_action, transition
from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import permissions, services
from wands.api.serializers import WandIssueSerializer
from wands.models import WandIssue, WandRequest

from .conftest import with_two_factor
from .factories import WandIssueFactory, WandRequestFactory

pytestmark = pytest.mark.django_db

S = WandRequest.Status
OPEN_BY_STATUS_AND_ROLE = {
    S.SUBMITTED: {"admin": {"approve", "reject", "cancel"}, "fulfilment": set(), "head": {"cancel"}},
    S.WAITING_FOR_STOCK: {"admin": {"cancel"}, "fulfilment": set(), "head": {"cancel"}},
    S.APPROVED: {"admin": {"cancel"}, "fulfilment": {"dispatch"}, "head": {"cancel"}},
    S.DISPATCHED: {"admin": set(), "fulfilment": set(), "head": {"confirm_delivery"}},
    S.DELIVERED: {"admin": set(), "fulfilment": set(), "head": {"report_issue"}},
    S.REJECTED: {"admin": set(), "fulfilment": set(), "head": set()},
    S.CANCELLED: {"admin": set(), "fulfilment": set(), "head": set()},
}


def test_the_table_covers_every_status_and_every_declared_action():
    assert set(OPEN_BY_STATUS_AND_ROLE) == set(S.values)
    offered = set().union(*(names for roles in OPEN_BY_STATUS_AND_ROLE.values() for names in roles.values()))
    assert offered == set(WandRequest.ACTIONS)


@pytest.mark.parametrize("status", list(OPEN_BY_STATUS_AND_ROLE))
def test_each_status_opens_its_actions_to_each_role(status, school, head, admin, fulfilment):
    wand_request = WandRequestFactory(school=school, status=status, decision_reason="A reason")
    people = {"admin": admin, "fulfilment": fulfilment, "head": head}
    for role, expected in OPEN_BY_STATUS_AND_ROLE[status].items():
        assert set(open_actions(wand_request, people[role])) == expected, (status, role)
    other_head = with_two_factor(headteacher_of(SchoolFactory()))
    assert open_actions(wand_request, other_head) == {}


@pytest.mark.parametrize("status", list(OPEN_BY_STATUS_AND_ROLE))
def test_the_public_predicates_agree_with_the_declaration(status, school, head, admin):
    wand_request = WandRequestFactory(school=school, status=status, decision_reason="A reason")
    for person in (head, admin):
        actions = open_actions(wand_request, person)
        assert permissions.can_cancel_wand_request(person, wand_request) == ("cancel" in actions)
        assert permissions.can_confirm_wand_delivery(person, wand_request) == ("confirm_delivery" in actions)
        assert permissions.can_report_wand_issue(person, wand_request) == ("report_issue" in actions)


def test_the_request_page_offers_what_the_declaration_opens(client, school, head):
    wand_request = WandRequestFactory(school=school, dispatched=True)
    client.force_login(head)
    body = client.get(reverse("wands:request_detail", kwargs={"pk": wand_request.pk})).content.decode()
    assert "Confirm delivery" in body
    assert "Cancel request" not in body and "Report a faulty or missing wand" not in body


def test_an_action_page_refuses_an_action_the_status_does_not_open(client, school, head):
    wand_request = WandRequestFactory(school=school, delivered=True)
    client.force_login(head)
    assert client.get(reverse("wands:request_cancel", kwargs={"pk": wand_request.pk})).status_code == 403
    assert client.get(reverse("wands:request_report_issue", kwargs={"pk": wand_request.pk})).status_code == 200
    with pytest.raises(PermissionDenied):
        require_action(wand_request, "cancel", head)


class TestIssueWorkflow:
    def test_next_names_every_status(self):
        assert set(WandIssue.NEXT) == set(WandIssue.Status.values)
        assert all(not WandIssue.NEXT[s] for s in WandIssue.RECEIVED)

    @pytest.mark.parametrize(
        ("outcome", "first"),
        [("return", WandIssue.Status.RETURN_EXPECTED), ("replacement", WandIssue.Status.REPLACEMENT)],
    )
    def test_a_report_starts_where_its_outcome_says(self, school, head, outcome, first):
        delivered = WandRequestFactory(school=school, delivered=True)
        issue = services.wand_issue_report(
            wand_request_id=delivered.pk, actor=head, kind="faulty", outcome=outcome, quantity=1, details="No beep"
        )
        assert issue.status == first and issue.resolved_at is None

    @pytest.mark.parametrize(("working", "to"), [(True, "received_working"), (False, "received_faulty")])
    def test_a_return_received_moves_to_its_condition_and_not_again(self, add_stock, fulfilment, working, to):
        add_stock(5)
        issue = WandIssueFactory(outcome=WandIssue.Outcome.RETURN, replacement=None)
        assert issue.status == WandIssue.Status.RETURN_EXPECTED
        services.wand_issue_return_received(issue_id=issue.pk, actor=fulfilment, working=working)
        issue.refresh_from_db()
        assert (issue.status, issue.resolved_at is not None) == (to, True)
        with pytest.raises(InvalidTransition):
            transition(issue, to=WandIssue.Status.RECEIVED_WORKING, actor=fulfilment, verb="x", refused="no")

    def test_a_collected_pick_up_resolves_its_issue_and_audits_the_move(self, add_stock, fulfilment):
        add_stock(5)
        issue = WandIssueFactory(pickup_arranged=True)
        assert issue.status == WandIssue.Status.REPLACEMENT
        services.wand_issue_pickup_collected(issue_id=issue.pk, actor=fulfilment, working=False)
        issue.refresh_from_db()
        assert issue.status == WandIssue.Status.RECEIVED_FAULTY and issue.resolved_at is not None
        event = AuditEvent.objects.get(verb="wand_issue.received")
        assert (event.from_state, event.to_state, event.target_id) == ("replacement", "received_faulty", str(issue.pk))

    def test_the_api_shows_the_status(self, school, head):
        issue = WandIssueFactory(wand_request=WandRequestFactory(school=school, delivered=True))
        assert WandIssueSerializer(issue).data["status"] == "replacement"


class TestStatusMigration:
    """wands 0006 fills the status from resolved_at and, for wands that came back, the condition the audit recorded."""

    def test_the_fill_reads_resolved_at_and_the_audit(self, add_stock, fulfilment):
        fill_status = import_module("wands.migrations.0006_wandissue_status").fill_status
        add_stock(5)
        waiting_return = WandIssueFactory(outcome=WandIssue.Outcome.RETURN, replacement=None)
        returned = WandIssueFactory(outcome=WandIssue.Outcome.RETURN, replacement=None)
        services.wand_issue_return_received(issue_id=returned.pk, actor=fulfilment, working=False)
        collected = WandIssueFactory(pickup_arranged=True)
        services.wand_issue_pickup_collected(issue_id=collected.pk, actor=fulfilment, working=True)
        replaced = WandIssueFactory()
        expected = {
            waiting_return.pk: "return_expected",
            returned.pk: "received_faulty",
            collected.pk: "received_working",
            replaced.pk: "replacement",
        }
        # The fill rewrites every row (the check constraints refuse any other starting point): from resolved_at and
        # outcome for open issues, from the audit for the rest.
        fill_status(apps, None)
        assert dict(WandIssue.objects.values_list("pk", "status")) == expected
