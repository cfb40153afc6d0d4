"""Requests to join a school: nobody joins by claiming a school; its headteacher (or a programme admin) decides."""

from functools import partial

from django.db import IntegrityError, transaction

from core.errors import Conflict, DomainError
from core.services import audit_record
from core.workflow import transition
from schools.models import School

from ..models import JoinRequest, SchoolMembership, User
from ..permissions import can_decide_join_request, can_request_to_join
from . import notifications
from ._common import now_or, reason_required, require


def _move(join_request: JoinRequest, *, to: str, actor: User, now, reason: str = "") -> None:
    """A join request's decision (core.workflow), with who decided and when."""
    transition(
        join_request,
        to=to,
        actor=actor,
        verb=f"join_request.{to}",
        refused=lambda: (
            f"This request has already been {join_request.get_status_display().lower()}"
            + (f" by {join_request.decided_by}" if join_request.decided_by_id else "")
        ),
        changes={"reason": reason, "decided_by": actor, "decided_at": now},
        update_fields=(),
        reason=reason,
        data={"school_urn": join_request.school_id, "user_id": join_request.user_id},
    )


def _headteacher_emails(school: School) -> list[str]:
    return list(
        SchoolMembership.objects.current()
        .filter(school=school, role=SchoolMembership.Role.HEADTEACHER, user__is_active=True)
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def join_request_create(*, user: User, school: School, message: str = "", now=None) -> JoinRequest:
    """A signed-in person asks to join an open school's staff, once at a time; the headteacher is told."""
    now = now_or(now)
    if not user.is_authenticated:
        raise DomainError("Sign in to ask to join a school")
    if not can_request_to_join(user, school):
        raise DomainError(f"{school.name} is closed: you cannot join it", field="school")
    if SchoolMembership.objects.current().filter(user=user, school=school).exists():
        raise Conflict(f"You are already a member of {school.name}", field="school")
    if JoinRequest.objects.filter(user=user, school=school, status=JoinRequest.Status.PENDING).exists():
        raise Conflict(f"You have already asked to join {school.name}: wait for the headteacher", field="school")
    message = (message or "").strip()
    if len(message) > 500:
        raise DomainError("Your job at the school must be 500 characters or fewer", field="message")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(user=user, school=school, message=message, created_at=now)
    except IntegrityError:
        raise Conflict(f"You have already asked to join {school.name}", field="school") from None
    audit_record(actor=user, verb="join_request.created", target=join_request, to_state="pending")
    transaction.on_commit(
        partial(
            notifications.join_request_received_email,
            to=_headteacher_emails(school),
            school_name=school.name,
            urn=school.urn,
        )
    )
    return join_request


def _for_decision(join_request_id: int) -> JoinRequest:
    # The row lock makes two people deciding at once queue up: the second sees the first's outcome.
    return JoinRequest.objects.select_for_update().select_related("school", "user").get(pk=join_request_id)


@transaction.atomic
def join_request_approve(*, actor: User, join_request_id: int, now=None) -> JoinRequest:
    """The headteacher (or a programme admin, where there is none) approves: the person joins the school's staff."""
    now = now_or(now)
    join_request = _for_decision(join_request_id)
    require(can_decide_join_request(actor, join_request))
    _move(join_request, to=JoinRequest.Status.APPROVED, actor=actor, now=now)
    if not join_request.school.is_open:
        raise DomainError(f"{join_request.school.name} has closed: decline the request instead")
    if not SchoolMembership.objects.current().filter(user=join_request.user, school=join_request.school).exists():
        membership = SchoolMembership.objects.create(
            user=join_request.user,
            school=join_request.school,
            role=SchoolMembership.Role.STAFF,
            granted_by=actor,
            granted_at=now,
        )
        audit_record(
            actor=actor,
            verb="membership.granted",
            target=membership,
            to_state="current",
            reason="Join request approved",
            data={"school_urn": join_request.school_id, "role": membership.role, "join_request_id": join_request.pk},
        )
    transaction.on_commit(
        partial(
            notifications.join_request_decided_email,
            email=join_request.user.email,
            name=join_request.user.get_full_name(),
            school_name=join_request.school.name,
            approved=True,
        )
    )
    return join_request


@transaction.atomic
def join_request_decline(*, actor: User, join_request_id: int, reason: str, now=None) -> JoinRequest:
    """Decline a request with a reason the person can read after signing in; they are told by email."""
    now = now_or(now)
    reason = reason_required(reason, what="Give a reason for declining the request")
    join_request = _for_decision(join_request_id)
    require(can_decide_join_request(actor, join_request))
    _move(join_request, to=JoinRequest.Status.DECLINED, actor=actor, now=now, reason=reason)
    transaction.on_commit(
        partial(
            notifications.join_request_decided_email,
            email=join_request.user.email,
            name=join_request.user.get_full_name(),
            school_name=join_request.school.name,
            approved=False,
        )
    )
    return join_request
