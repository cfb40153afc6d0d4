"""Referral.ACTIONS: what the record offers, in which status, to whom (the declaration the record's links, the action
pages and the templates read; core.workflow)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from core.workflow import open_actions
from stepping_stones.models import Referral
from stepping_stones.views.records import NOT_LISTED

from .factories import coordinator, lead_of

pytestmark = pytest.mark.django_db

S = Referral.Status
ALWAYS = ["access_log", "subject_access", "erase"]  # the coordinators', in every status while not erased
FOR_THE_COORDINATOR = {
    S.DRAFT: ["check", *ALWAYS],
    S.SUBMITTED: ["decide", "withdraw", *ALWAYS],
    S.PENDING_DESTINATION: ["route", "withdraw", *ALWAYS],
    S.WAITLISTED: ["decide", "withdraw", *ALWAYS],
    S.OFFERED: ["confirm_place", "withdraw", *ALWAYS],
    S.ACCEPTED: ["progress", "status", "withdraw", *ALWAYS],
    S.ENROLLED: ["progress", "status", "withdraw", *ALWAYS],
    S.ACTIVE: ["progress", "status", "withdraw", *ALWAYS],
    S.COMPLETED: ["progress", *ALWAYS],
    S.DECLINED: ALWAYS,
    S.WITHDRAWN: ALWAYS,
    S.MOVED_SCHOOL: ALWAYS,
}
FOR_THE_SECONDARY_LEAD = {
    S.DRAFT: [],
    S.SUBMITTED: ["decide", "withdraw"],
    S.WAITLISTED: ["decide", "withdraw"],
    S.OFFERED: ["confirm_place", "withdraw"],
    S.ACCEPTED: ["progress", "status", "withdraw"],
    S.ACTIVE: ["progress", "status", "withdraw"],
    S.COMPLETED: ["progress"],
    S.DECLINED: [],
}


def _listed(referral, user) -> list[str]:
    return [name for name in open_actions(referral, user) if name not in NOT_LISTED]


def test_every_action_has_its_page_and_its_permission():
    for name, action in Referral.ACTIONS.items():
        assert callable(import_string(action.allowed)), name
        if name not in NOT_LISTED:
            reverse(f"stepping_stones:referral_{name}", args=["SS26-4K7Q2"])


@pytest.mark.parametrize("status", list(FOR_THE_COORDINATOR))
def test_what_the_coordinator_is_offered_in_each_status(status, primary, secondary):
    referral = Referral(status=status, referring_school=primary, receiving_school=secondary)
    assert _listed(referral, coordinator()) == FOR_THE_COORDINATOR[status]
    referral.erased_at = timezone.now()
    assert [name for name in _listed(referral, coordinator()) if name in ALWAYS] == ["access_log"]


@pytest.mark.parametrize("status", list(FOR_THE_SECONDARY_LEAD))
def test_what_the_receiving_lead_is_offered_in_each_status(status, primary, secondary):
    referral = Referral(status=status, referring_school=primary, receiving_school=secondary)
    expected = FOR_THE_SECONDARY_LEAD[status]
    assert _listed(referral, lead_of(secondary)) == expected
    # The referring primary's lead continues its own draft and may withdraw a live referral; it decides nothing.
    primary_expected = ["check"] if status == S.DRAFT else [name for name in expected if name == "withdraw"]
    assert _listed(referral, lead_of(primary)) == primary_expected


def test_the_summary_offers_a_new_destination_only_before_a_secondary_is_known(primary, secondary):
    lead = lead_of(primary)
    for status, offered in ((S.DRAFT, True), (S.PENDING_DESTINATION, True), (S.SUBMITTED, False)):
        referral = Referral(status=status, referring_school=primary, receiving_school=None)
        assert ("destination" in open_actions(referral, lead)) is offered, status
