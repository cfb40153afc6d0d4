"""Faulty and missing wands: reports, returns and the pick-ups of replaced wands."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record
from core.workflow import status_allows, transition
from schools.selectors import current_school_urn

from .. import permissions
from ..models import (
    StockLevel,
    StockMovement,
    WandIssue,
    WandRequest,
)
from ._common import (
    _clean_quantity,
    _email_context,
    _ensure_stock_row,
    _locked_request,
    _notify_admins,
    _record_movement,
    _reserve_waiting,
)
from .stock import _write_off


@transaction.atomic
def wand_issue_report(*, wand_request_id: int, actor, kind: str, outcome: str, quantity, details: str) -> WandIssue:
    """A school reports faulty or missing wands from a delivery; this opens a replacement or a return."""
    wand_request = _locked_request(wand_request_id)
    if not permissions.acts_for_wand_request(actor, wand_request):
        raise PermissionDenied
    if not status_allows(wand_request, "report_issue"):
        raise InvalidTransition("You can report a problem once the delivery is confirmed.")
    if kind not in WandIssue.Kind.values:
        raise DomainError("Choose whether the wands are faulty or missing.", field="kind")
    if outcome not in WandIssue.Outcome.values:
        raise DomainError("Choose a replacement or a return.", field="outcome")
    if not (details or "").strip():
        raise DomainError("Describe what is wrong.", field="details")
    left = wand_request.quantity - sum(wand_request.issues.values_list("quantity", flat=True))
    if left <= 0:
        raise DomainError("Every wand of this delivery already has a problem reported.", field="quantity")
    quantity = _clean_quantity(quantity, maximum=left)
    issue = WandIssue(
        wand_request=wand_request,
        kind=kind,
        outcome=outcome,
        quantity=quantity,
        details=details.strip(),
        reported_by=actor,
        status=WandIssue.first_status(outcome),
    )
    if outcome == WandIssue.Outcome.REPLACEMENT:
        replacement = WandRequest.objects.create(
            school_id=current_school_urn(wand_request.school_id),  # a closed school's successor gets it
            quantity=quantity,
            contact_name=wand_request.contact_name,
            contact_phone=wand_request.contact_phone,
            delivery_address=wand_request.delivery_address,
            delivery_postcode=wand_request.delivery_postcode,
            policy_confirmed=True,
            replaces=wand_request,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            verb="wand_request.submitted",
            target=replacement,
            to_state=replacement.status,
            reason=f"Replacement for {kind} wands of {wand_request.reference}",
            data={"quantity": quantity, "replaces": wand_request.reference},
        )
        issue.replacement = replacement
    issue.save()
    audit_record(
        actor=actor,
        verb=f"wand_issue.{kind}",
        target=wand_request,
        reason=issue.details,
        data={
            "quantity": quantity,
            "outcome": outcome,
            "replacement": issue.replacement.reference if issue.replacement else "",
        },
    )
    _notify_admins(
        "issue_reported",
        {
            **_email_context(wand_request),
            "kind": issue.get_kind_display(),
            "outcome": issue.get_outcome_display(),
            "issue_quantity": quantity,
        },
    )
    return issue


def _take_in(issue: WandIssue, *, actor, working: bool, note: str) -> None:
    """Wands back from a school enter the stock ledger; faulty ones are then written off through it."""
    _ensure_stock_row()
    StockLevel.objects.filter(pk=1).update(on_hand=F("on_hand") + issue.quantity)
    _record_movement(
        kind=StockMovement.Kind.RETURN,
        quantity=issue.quantity,
        on_hand_change=issue.quantity,
        reserved_change=0,
        actor=actor,
        wand_request=issue.wand_request,
    )
    if not working:
        _write_off(quantity=issue.quantity, actor=actor, note=note)


def _taken_in_state(working: bool) -> str:
    return WandIssue.Status.RECEIVED_WORKING if working else WandIssue.Status.RECEIVED_FAULTY


def _receive(issue: WandIssue, *, working: bool, actor, verb: str, data: dict, audit_on_request: bool) -> None:
    """The wands came back: the issue moves along WandIssue.NEXT to the condition they came back in."""
    to = _taken_in_state(working)
    transition(
        issue,
        to=to,
        actor=actor,
        verb=verb,
        refused=f"The wands for {issue.wand_request.reference} have already been received.",
        changes={"resolved_at": timezone.now()},
        update_fields=(),
        audit_target=issue.wand_request if audit_on_request else None,
        data=data,
    )


@transaction.atomic
def wand_issue_return_received(*, issue_id: int, actor, working: bool) -> WandIssue:
    """Fulfilment takes in returned wands: working ones go back to stock, faulty ones are written off."""
    if not permissions.can_resolve_wand_issue(actor):
        raise PermissionDenied
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(pk=issue_id, outcome=WandIssue.Outcome.RETURN)
        .first()
    )
    if issue is None:
        raise DomainError("There is no return with that number.", code="not_found")
    if issue.status != WandIssue.Status.RETURN_EXPECTED:
        raise Conflict("This return has already been received.")
    _take_in(issue, actor=actor, working=working, note=f"Faulty wands returned on {issue.wand_request.reference}")
    _receive(
        issue,
        working=working,
        actor=actor,
        verb="wand_issue.return_received",
        data={"issue": issue.pk, "quantity": issue.quantity, "working": working},
        audit_on_request=True,  # the school's timeline shows it
    )
    if working:
        _reserve_waiting(actor=actor)
    return issue


def _pickup_move(issue: WandIssue, *, to: str, actor, data: dict | None = None) -> None:
    """A pick-up's move along its own workflow (WandIssue.PICKUP_NEXT, core.workflow), audited on the request."""
    transition(
        issue,
        to=to,
        actor=actor,
        verb=f"wand_issue.pickup_{to}",
        refused=f"The pick-up for {issue.wand_request.reference} is {issue.get_pickup_display().lower()}, so it cannot "
        f"become {WandIssue.Pickup(to).label.lower()}.",
        field="pickup",
        next_map=WandIssue.PICKUP_NEXT,
        update_fields=("pickup_arranged_at", "pickup_collected_at"),
        audit_target=issue.wand_request,
        from_label="none",
        data={"issue": issue.pk, "quantity": issue.quantity, **(data or {})},
    )


def _arrange_pickup(replacement: WandRequest, *, actor) -> None:
    """Dispatching a replacement for faulty wands arranges collecting the faulty ones."""
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(replacement=replacement, kind=WandIssue.Kind.FAULTY, pickup=WandIssue.Pickup.NONE)
        .first()
    )
    if issue is None:
        return
    issue.pickup_arranged_at = timezone.now()
    _pickup_move(issue, to=WandIssue.Pickup.ARRANGED, actor=actor, data={"replacement": replacement.reference})


@transaction.atomic
def wand_issue_pickup_collected(*, issue_id: int, actor, working: bool) -> WandIssue:
    """Fulfilment collects replaced faulty wands: working ones go back to stock, faulty ones are written off."""
    if not permissions.can_collect_wand_pickup(actor):
        raise PermissionDenied
    issue = (
        WandIssue.objects.select_for_update()
        .select_related("wand_request")
        .filter(pk=issue_id)
        .exclude(pickup=WandIssue.Pickup.NONE)
        .first()
    )
    if issue is None:
        raise DomainError("There is no pick-up with that number.", code="not_found")
    if issue.pickup == WandIssue.Pickup.COLLECTED:
        raise Conflict(f"The wands for {issue.wand_request.reference} have already been collected.")
    _take_in(issue, actor=actor, working=working, note=f"Faulty wands collected from {issue.wand_request.reference}")
    issue.pickup_collected_at = timezone.now()
    _pickup_move(issue, to=WandIssue.Pickup.COLLECTED, actor=actor, data={"condition": _taken_in_state(working)})
    # The issue is resolved with it; the request's timeline shows the pick-up, the issue's own audit its status.
    _receive(
        issue,
        working=working,
        actor=actor,
        verb="wand_issue.received",
        data={"quantity": issue.quantity, "working": working},
        audit_on_request=False,
    )
    if working:
        _reserve_waiting(actor=actor)
    return issue
