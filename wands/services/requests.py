"""Wand requests along their workflow: submit, cancel, approve, reject, dispatch, confirm delivery."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record
from core.text import PHONE_INVALID, POSTCODE_INVALID, clean_lines, one_line, uk_phone, uk_postcode
from schools.models import School

from .. import permissions
from ..models import (
    SchoolAllowance,
    StockLevel,
    StockMovement,
    WandRequest,
    WandSerial,
    reference_for,
)
from ..selectors import allowance_total, stock_level, wands_held_against_allowance
from ._common import (
    AllowanceExceeded,
    ApprovalOutcome,
    BulkApprovalOutcome,
    _clean_quantity,
    _clean_serials,
    _email_context,
    _locked_request,
    _move,
    _notify_admins,
    _notify_school,
    _record_movement,
    _reserve_waiting,
    _serials_already_out,
    _stock_release,
    _stock_reserve,
)
from .issues import _arrange_pickup


@transaction.atomic
def wand_request_submit(
    *,
    actor,
    school: School,
    quantity,
    contact_name: str,
    contact_phone: str,
    delivery_address: str,
    delivery_postcode: str,
    policy_confirmed: bool,
    idempotency_key: str = "",
) -> WandRequest:
    """A school requests up to its remaining allowance; the same idempotency key from the same person creates one."""
    if not permissions.acts_for_school_on_wands(actor, school):
        raise PermissionDenied
    if not school.is_open:
        raise DomainError(f"{school.name} is closed, so it cannot request wands.", code="school_closed")
    quantity = _clean_quantity(quantity)
    # Line breaks typed or pasted into the form (CRLF, a lone CR) never reach the courier's file.
    contact_name, contact_phone = one_line(contact_name), one_line(contact_phone)
    delivery_address, delivery_postcode = clean_lines(delivery_address), one_line(delivery_postcode)
    errors = [
        ("contact_name", "Enter the name of the person who will take the delivery", contact_name),
        ("contact_phone", "Enter a phone number for the delivery contact", contact_phone),
        ("delivery_address", "Enter the delivery address", delivery_address),
        ("delivery_postcode", "Enter the delivery postcode", delivery_postcode),
    ]
    for field_name, message, value in errors:
        if not (value or "").strip():
            raise DomainError(message + ".", field=field_name)
    if uk_phone(contact_phone) is None:
        raise DomainError(PHONE_INVALID + ".", field="contact_phone")
    if uk_postcode(delivery_postcode) is None:
        raise DomainError(POSTCODE_INVALID + ".", field="delivery_postcode")
    if not policy_confirmed:
        raise DomainError(
            "Confirm that your behaviour policy says pupils may be screened for weapons.", field="policy_confirmed"
        )
    idempotency_key = (idempotency_key or "").strip()[:64]

    # The school's allowance row is the lock: two requests for the last wands are checked one after the other.
    SchoolAllowance.objects.get_or_create(school=school)
    SchoolAllowance.objects.select_for_update().get(school=school)
    # A succession takes the same lock before closing the school: read its status again under the lock.
    if not School.objects.filter(pk=school.pk, status__in=School.OPEN_STATUSES).exists():
        raise DomainError(f"{school.name} is closed, so it cannot request wands.", code="school_closed")
    if idempotency_key:
        existing = WandRequest.objects.filter(requested_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    remaining = allowance_total(school) - wands_held_against_allowance(school)
    if quantity > remaining:
        if remaining <= 0:
            message = f"{school.name} has no wands left in its allowance."
        else:
            message = f"The number of wands must be {remaining} or fewer: that is what is left of the allowance."
        raise AllowanceExceeded(message, field="quantity")
    wand_request = WandRequest.objects.create(
        school=school,
        quantity=quantity,
        contact_name=contact_name.strip(),
        contact_phone=uk_phone(contact_phone),
        delivery_address=delivery_address.strip(),
        delivery_postcode=uk_postcode(delivery_postcode),
        policy_confirmed=True,
        requested_by=actor,
        idempotency_key=idempotency_key,
    )
    audit_record(
        actor=actor,
        verb="wand_request.submitted",
        target=wand_request,
        to_state=wand_request.status,
        data={"quantity": quantity},
    )
    _notify_school(wand_request, "request_submitted")
    _notify_admins("request_new_for_admins", _email_context(wand_request))
    return wand_request


@transaction.atomic
def wand_request_cancel(*, wand_request_id: int, actor, reason: str = "") -> WandRequest:
    """A school (or an admin) cancels before dispatch; reserved wands go back to stock for waiting requests."""
    wand_request = _locked_request(wand_request_id)
    if not permissions.may_cancel_for_school(actor, wand_request):  # the role; _move checks the status
        raise PermissionDenied
    was_reserved = wand_request.status == WandRequest.Status.APPROVED
    _move(wand_request, to=WandRequest.Status.CANCELLED, actor=actor, reason=reason.strip())
    if was_reserved:
        _stock_release(wand_request=wand_request, actor=actor)
        _reserve_waiting(actor=actor)
    return wand_request


def _approve(wand_request: WandRequest, *, actor, note: str) -> ApprovalOutcome:
    if wand_request.status != WandRequest.Status.SUBMITTED:
        raise InvalidTransition(
            f"{wand_request.reference} is already {wand_request.get_status_display().lower()}: "
            "another admin may have decided it. Refresh the page to see its current state."
        )
    wand_request.decided_at = timezone.now()
    wand_request.decided_by = actor
    # Requests already waiting are served first: a new approval only reserves when nobody is queued ahead of it.
    waiting_ahead = sum(
        WandRequest.objects.filter(status=WandRequest.Status.WAITING_FOR_STOCK).values_list("quantity", flat=True)
    )
    if not waiting_ahead and _stock_reserve(wand_request=wand_request, actor=actor):
        wand_request.reserved_at = wand_request.decided_at
        _move(wand_request, to=WandRequest.Status.APPROVED, actor=actor, reason=note)
        _notify_school(wand_request, "request_approved")
        return ApprovalOutcome(wand_request=wand_request, reserved=True)
    short = max(waiting_ahead + wand_request.quantity - max(stock_level().available, 0), 1)
    # Stock goes to the requests ahead first: this request lacks whatever of its own wands is left uncovered.
    waits_for = min(wand_request.quantity, short)
    _move(
        wand_request,
        to=WandRequest.Status.WAITING_FOR_STOCK,
        actor=actor,
        reason=note,
        data={"wands_short": short, "waits_for": waits_for},
    )
    _notify_school(wand_request, "request_waiting_for_stock", waits_for=waits_for)
    return ApprovalOutcome(wand_request=wand_request, reserved=False, wands_short=short, waits_for=waits_for)


@transaction.atomic
def wand_request_approve(*, wand_request_id: int, actor, note: str = "") -> ApprovalOutcome:
    """Approve a submitted request and reserve its wands; when stock is short it waits, in approval order."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    wand_request = _locked_request(wand_request_id)
    return _approve(wand_request, actor=actor, note=note.strip())


@transaction.atomic
def wand_requests_approve_many(*, wand_request_ids: list[int], actor) -> BulkApprovalOutcome:
    """Approve several submitted requests, oldest first; ones no longer submitted are listed, not approved."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    outcome = BulkApprovalOutcome()
    for pk in sorted(set(wand_request_ids)):
        try:
            wand_request = _locked_request(pk)
            with transaction.atomic():
                result = _approve(wand_request, actor=actor, note="Approved with others")
        except DomainError as error:
            outcome.skipped.append((reference_for(pk), error.message))
            continue
        (outcome.approved if result.reserved else outcome.waiting).append(result.wand_request)
    return outcome


@transaction.atomic
def wand_request_reject(*, wand_request_id: int, actor, reason: str) -> WandRequest:
    """Reject a submitted request with a reason the school sees."""
    if not permissions.can_decide_wand_request(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for rejecting the request: the school will see it.", field="reason")
    wand_request = _locked_request(wand_request_id)
    if wand_request.status != WandRequest.Status.SUBMITTED:
        raise InvalidTransition(
            f"{wand_request.reference} is already {wand_request.get_status_display().lower()}: "
            "another admin may have decided it. Refresh the page to see its current state."
        )
    wand_request.decided_at = timezone.now()
    wand_request.decided_by = actor
    wand_request.decision_reason = reason
    _move(wand_request, to=WandRequest.Status.REJECTED, actor=actor, reason=reason)
    _notify_school(wand_request, "request_rejected", reason=reason)
    return wand_request


def _dispatch(wand_request: WandRequest, *, actor, courier: str, tracking_reference: str, serials: list[str]) -> None:
    courier, tracking_reference = one_line(courier), one_line(tracking_reference)  # one line each in every export
    if wand_request.status != WandRequest.Status.APPROVED:
        raise InvalidTransition(
            f"{wand_request.reference} is {wand_request.get_status_display().lower()}: only approved requests "
            "with reserved wands can be dispatched."
        )
    quantity = wand_request.quantity
    updated = StockLevel.objects.filter(pk=1, reserved__gte=quantity, on_hand__gte=quantity).update(
        on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity
    )
    if not updated:
        raise Conflict("The stock ledger does not hold this request's reservation; nothing was dispatched.")
    _record_movement(
        kind=StockMovement.Kind.DISPATCH,
        quantity=quantity,
        on_hand_change=-quantity,
        reserved_change=-quantity,
        actor=actor,
        wand_request=wand_request,
        serials=serials,
    )
    try:
        with transaction.atomic():
            WandSerial.objects.bulk_create([WandSerial(serial=s, wand_request=wand_request) for s in serials])
    except IntegrityError:
        raise Conflict("One of these serial numbers is already out with a school.", field="serials") from None
    wand_request.courier = courier
    wand_request.tracking_reference = tracking_reference
    wand_request.dispatched_at = timezone.now()
    _move(
        wand_request,
        to=WandRequest.Status.DISPATCHED,
        actor=actor,
        data={"courier": courier, "tracking_reference": tracking_reference, "serials": serials},
    )
    if wand_request.replaces_id is not None:
        _arrange_pickup(wand_request, actor=actor)
    _notify_school(wand_request, "request_dispatched", courier=courier, tracking_reference=tracking_reference)


def _dispatch_problems(wand_request: WandRequest | None, *, courier: str, tracking: str, serials: list[str]) -> list:
    problems = []
    if wand_request is None:
        problems.append("no wand request has this reference")
    elif wand_request.status != WandRequest.Status.APPROVED:
        problems.append(f"{wand_request.reference} is {wand_request.get_status_display().lower()}, not approved")
    if not courier:
        problems.append("courier is missing")
    if not tracking:
        problems.append("tracking reference is missing")
    if wand_request is None:
        return problems
    if len(serials) > wand_request.quantity:
        problems.append(f"{len(serials)} serial numbers but only {wand_request.quantity} wands were approved")
    elif serials and len(serials) != wand_request.quantity:
        problems.append(f"give a serial number for each of the {wand_request.quantity} wands, or none")
    if len(set(serials)) != len(serials):
        problems.append("the same serial number is listed twice")
    out = _serials_already_out(serials)
    if out:
        problems.append(f"serial numbers already dispatched elsewhere: {', '.join(out)}")
    return problems


@transaction.atomic
def wand_request_dispatch(
    *, wand_request_id: int, actor, courier: str, tracking_reference: str, serials=None
) -> WandRequest:
    """Fulfilment records courier and tracking for an approved request; its reserved wands leave stock."""
    if not permissions.can_dispatch_wand_request(actor):
        raise PermissionDenied
    wand_request = _locked_request(wand_request_id)
    courier = (courier or "").strip()
    tracking_reference = (tracking_reference or "").strip()
    serials = _clean_serials(serials)
    if wand_request.status != WandRequest.Status.APPROVED:
        raise InvalidTransition(
            f"{wand_request.reference} is {wand_request.get_status_display().lower()}: only approved requests "
            "with reserved wands can be dispatched."
        )
    if not courier:
        raise DomainError("Enter the courier.", field="courier")
    if not tracking_reference:
        raise DomainError("Enter the tracking reference.", field="tracking_reference")
    problems = _dispatch_problems(wand_request, courier=courier, tracking=tracking_reference, serials=serials)
    if problems:
        field_name = "serials" if serials else "non_field_errors"
        raise DomainError(problems[0][0].upper() + problems[0][1:] + ".", field=field_name)
    _dispatch(wand_request, actor=actor, courier=courier, tracking_reference=tracking_reference, serials=serials)
    return wand_request


@transaction.atomic
def wand_request_confirm_delivery(*, wand_request_id: int, actor) -> WandRequest:
    """The school confirms the wands arrived (only the school: fulfilment dispatches, the school confirms)."""
    wand_request = _locked_request(wand_request_id)
    if not permissions.acts_for_wand_request_school(actor, wand_request):
        raise PermissionDenied
    wand_request.delivered_at = timezone.now()
    _move(wand_request, to=WandRequest.Status.DELIVERED, actor=actor)
    _notify_school(wand_request, "request_delivered")
    return wand_request
