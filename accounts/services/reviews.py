"""Access reviews: roles reaching pupil or police data lapse unless confirmed every 6 months; dormant accounts close."""

from collections import defaultdict
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, InvalidTransition
from core.services import audit_record

from .. import selectors
from ..models import AccessReviewReminder, PoliceRole, ProgrammeRole, SchoolDuty, SchoolMembership, User
from ..permissions import can_review_role, role_holder_id
from ..roles import DORMANT_AFTER_DAYS, REVIEW_PERIOD_DAYS
from . import notifications
from ._common import end_record, now_or, require

REVIEWABLE = {"duty": SchoolDuty, "police": PoliceRole, "programme": ProgrammeRole}

OWN_ROLE_REFUSED = "You cannot confirm your own role: nobody may extend their own access."
OWN_ROLE_ADMIN_CONFIRMS = " Another programme admin must confirm it."


def own_role_message(record) -> str:
    """What a reviewer reads when the role in front of them is their own."""
    if isinstance(record, SchoolDuty):
        return OWN_ROLE_REFUSED
    return OWN_ROLE_REFUSED + OWN_ROLE_ADMIN_CONFIRMS


class OwnAccessRefused(DomainError, PermissionDenied):
    """Someone tried to confirm (extend) their own access: a refusal with a message (the API answers 403)."""

    status_code = 403
    code = "own_role"


@transaction.atomic
def role_confirm(*, actor: User, kind: str, record_id: int, now=None):
    """The reviewer confirms a role is still needed, its 6-month clock starts again; never a role of their own."""
    now = now_or(now)
    model = REVIEWABLE[kind]
    record = model.objects.select_for_update().get(pk=record_id)
    if kind == "duty":
        record = SchoolDuty.objects.select_related("membership").get(pk=record.pk)
    require(can_review_role(actor, record))
    if role_holder_id(record) == actor.pk:
        raise OwnAccessRefused(own_role_message(record))
    if record.ended_at is not None:
        raise InvalidTransition("This role has already ended")
    previous = record.confirmed_at or record.granted_at
    record.confirmed_at = now
    record.confirmed_by = actor
    record.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_record(
        actor=actor,
        verb="role.confirmed",
        target=record,
        from_state="current",
        to_state="current",
        data={"previously_confirmed": previous.isoformat()},
    )
    return record


@transaction.atomic
def roles_lapse_unconfirmed(*, now=None) -> int:
    """End every reviewed role nobody confirmed in the review period (audited, by the system)."""
    now = now_or(now)
    overdue = selectors.role_records_overdue(now=now)
    count = 0
    for records in overdue.values():
        for record in records:
            end_record(
                record,
                actor=None,
                reason=f"Lapsed: not confirmed at access review for {REVIEW_PERIOD_DAYS} days",
                verb="role.lapsed",
                now=now,
                lapsed=True,
            )
            count += 1
    return count


def reminder_period_start(now) -> date:
    """Reminders go at most once a week to each reviewer: the period is the week (from Monday) of `now`."""
    today = timezone.localdate(now)
    return today - timedelta(days=today.weekday())


@transaction.atomic
def access_review_reminders_send(*, now=None) -> int:
    """Email each reviewer how many roles they must confirm within 14 days: headteachers for their school's
    Stepping Stones leads, programme admins for police and VRU roles. Once a week at most per reviewer: a reviewer
    already reminded this week is skipped, however often the command runs. Returns how many emails were sent."""
    now = now_or(now)
    due = selectors.role_records_due_for_review(now=now)
    per_recipient: dict[User, int] = defaultdict(int)
    schools = defaultdict(int)
    for duty in due["duties"]:
        schools[duty.membership.school_id] += 1
    heads = (
        SchoolMembership.objects.current()
        .filter(school_id__in=schools, role=SchoolMembership.Role.HEADTEACHER, user__is_active=True)
        .select_related("user")
    )
    for head in heads:
        per_recipient[head.user] += schools[head.school_id]
    others = len(due["police"]) + len(due["programme"])
    if others:
        admins = (
            ProgrammeRole.objects.current()
            .filter(kind=ProgrammeRole.Kind.PROGRAMME_ADMIN, user__is_active=True)
            .select_related("user")
        )
        for admin in admins:
            per_recipient[admin.user] += others
    period_start = reminder_period_start(now)
    already = set(
        AccessReviewReminder.objects.filter(period_start=period_start, recipient__in=per_recipient).values_list(
            "recipient_id", flat=True
        )
    )
    sent = 0
    for user, count in sorted(per_recipient.items(), key=lambda item: item[0].pk):
        if user.pk in already:
            continue
        try:
            # A savepoint each: a run at the same moment that reminded this person first wins, this one skips them.
            with transaction.atomic():
                AccessReviewReminder.objects.create(
                    recipient=user, period_start=period_start, role_count=count, sent_at=now
                )
        except IntegrityError:
            continue
        transaction.on_commit(
            partial(notifications.access_review_due_email, email=user.email, name=user.get_full_name(), count=count)
        )
        sent += 1
    return sent


@transaction.atomic
def users_deactivate_dormant(*, now=None) -> int:
    """Accounts unused for 90 days are deactivated (the person is signed out on their next request), audited."""
    now = now_or(now)
    count = 0
    for user in selectors.users_dormant(now=now).select_for_update():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            actor=None,
            verb="user.deactivated",
            target=user,
            from_state="active",
            to_state="inactive",
            reason=f"No sign-in for {DORMANT_AFTER_DAYS} days",
        )
        count += 1
    return count
