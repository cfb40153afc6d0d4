"""A secondary's places: accept (takes a place, never over-filled), waiting list, decline, offers from the waiting list
when a place comes free and their expiry."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.errors import InvalidTransition
from core.permissions import require

from .. import permissions
from ..models import ParticipatingSchool, Referral
from ._common import (
    DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS,
    PlacesFull,
    S,
    _actor_or_none,
    _clean_priority,
    _clean_text,
    _locked,
    _move,
    _notify,
    _school_name,
    logger,
)


@dataclass
class OfferExpiryReport:
    today: date
    expired: list[str] = field(default_factory=list)  # references whose offer expired
    offered_on: list[str] = field(default_factory=list)  # references the freed places were offered to

    def summary(self) -> str:
        return (
            f"{len(self.expired)} offered place(s) not confirmed by {self.today.isoformat()} passed on; "
            f"{len(self.offered_on)} offered to the next pupil on a waiting list."
        )


def _take_place(referral: Referral) -> None:
    """Take one of the receiving school's places: a conditional UPDATE, so two decisions cannot over-fill."""
    updated = ParticipatingSchool.objects.filter(
        cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, places_taken__lt=F("places")
    ).update(places_taken=F("places_taken") + 1)
    if not updated:
        raise PlacesFull(
            f"{_school_name(referral.receiving_school_id)} has no places left in the {referral.cohort.name}. "
            "Put the pupil on the waiting list instead.",
            code="places_full",
        )


def _free_place(referral: Referral) -> None:
    ParticipatingSchool.objects.filter(
        cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, places_taken__gt=0
    ).update(places_taken=F("places_taken") - 1)


def _offer_next(*, cohort_id: int, school_id: int, actor) -> Referral | None:
    """A place came free: offer it to the top of that school's waiting list (priority, then date)."""
    candidate_ids = list(
        Referral.objects.filter(cohort_id=cohort_id, receiving_school_id=school_id, status=S.WAITLISTED)
        .order_by("priority", "waitlisted_at", "id")
        .values_list("pk", flat=True)[:5]
    )
    for pk in candidate_ids:
        referral = _locked(pk)
        if referral.status != S.WAITLISTED:
            continue
        try:
            with transaction.atomic():
                _take_place(referral)
        except PlacesFull:
            return None
        referral.offered_at = timezone.now()
        referral.offer_expires_on = offer_expiry_date(timezone.localdate(referral.offered_at))
        _move(
            referral,
            to=S.OFFERED,
            actor=actor,
            reason="A place came free",
            data={"offer_expires_on": referral.offer_expires_on.isoformat()},
        )
        _notify(
            referral,
            school_id=school_id,
            template="place_offered",
            confirm_by=f"{referral.offer_expires_on:%-d %B %Y}",
        )
        return referral
    return None


def offer_expiry_school_days() -> int:
    """STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS (default 10): school days the secondary has to confirm an offer."""
    value = getattr(settings, "STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS", DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS
    return value


def offer_expiry_date(offered_on: date, school_days: int | None = None) -> date:
    """The last day to confirm an offer: `school_days` school days (Monday to Friday) after the day it was made.

    Holidays are not known to the portal, so they count as school days; the setting allows for them."""
    remaining = offer_expiry_school_days() if school_days is None else school_days
    day = offered_on
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def offers_expire(*, today: date | None = None, actor=None) -> OfferExpiryReport:
    """An offered place the secondary has not confirmed by its expiry date passes to the next pupil on the waiting
    list, as a withdrawal's place does; the expired referral is declined with a reason saying why. Idempotent."""
    today = today or timezone.localdate()
    report = OfferExpiryReport(today=today)
    expired_ids = list(
        Referral.objects.filter(status=S.OFFERED, offer_expires_on__lt=today)
        .order_by("offer_expires_on", "id")
        .values_list("pk", flat=True)
    )
    for pk in expired_ids:
        with transaction.atomic():
            referral = _locked(pk)
            # Confirmed (or withdrawn) since the list was read: nothing to pass on.
            if referral.status != S.OFFERED or referral.offer_expires_on is None or referral.offer_expires_on >= today:
                continue
            reason = (
                f"The place offered on {timezone.localdate(referral.offered_at):%-d %B %Y} was not confirmed by "
                f"{referral.offer_expires_on:%-d %B %Y}, so it passed to the next pupil on the waiting list."
                if referral.offered_at
                else f"The place offered was not confirmed by {referral.offer_expires_on:%-d %B %Y}, so it passed to "
                "the next pupil on the waiting list."
            )
            referral.decline_reason = reason
            referral.decided_at = timezone.now()
            referral.decided_by = _actor_or_none(actor)
            _move(
                referral,
                to=S.DECLINED,
                actor=actor,
                reason=reason,
                data={"offer_expired": True, "offer_expires_on": referral.offer_expires_on.isoformat()},
            )
            _notify(
                referral,
                school_id=referral.receiving_school_id,
                template="offer_expired",
                confirm_by=f"{referral.offer_expires_on:%-d %B %Y}",
            )
            _notify(referral, school_id=referral.referring_school_id, template="referral_decided", decision="declined")
            _free_place(referral)
            offered = _offer_next(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, actor=actor)
            report.expired.append(referral.reference)
            if offered is not None:
                report.offered_on.append(offered.reference)
    logger.info(
        "stepping stones offers expired",
        extra={"expired": len(report.expired), "offered": len(report.offered_on)},
    )
    return report


@transaction.atomic
def referral_accept(*, actor, referral: Referral) -> Referral:
    """The receiving secondary accepts: a place is taken (never over-filled). Confirms an offered place too."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_decide_referral(actor, referral))
    if referral.status not in (S.SUBMITTED, S.WAITLISTED, S.OFFERED):
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: it cannot be accepted now. "
            "Refresh the page to see its current state."
        )
    if referral.status != S.OFFERED:
        _take_place(referral)
    confirmed_offer = referral.status == S.OFFERED
    referral.decided_at = timezone.now()
    referral.decided_by = _actor_or_none(actor)
    _move(referral, to=S.ACCEPTED, actor=actor, reason="Offered place confirmed" if confirmed_offer else "")
    _notify(referral, school_id=referral.referring_school_id, template="referral_decided", decision="accepted")
    return referral


@transaction.atomic
def referral_waitlist(*, actor, referral: Referral, priority=None) -> Referral:
    """Onto the receiving school's waiting list, ordered by priority then the date it joined."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_decide_referral(actor, referral))
    if referral.status != S.SUBMITTED:
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: only a referral waiting for an answer "
            "can go on the waiting list."
        )
    if priority is not None and str(priority).strip() != "":
        referral.priority = _clean_priority(priority)
    referral.waitlisted_at = timezone.now()
    referral.decided_at = referral.waitlisted_at
    referral.decided_by = _actor_or_none(actor)
    _move(referral, to=S.WAITLISTED, actor=actor, data={"priority": referral.priority})
    _notify(referral, school_id=referral.referring_school_id, template="referral_decided", decision="waitlisted")
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str) -> Referral:
    """Decline with a reason the primary sees; a declined offer passes the place to the next on the waiting list."""
    reason = _clean_text(
        reason, field_name="reason", label="the reason for declining: the primary school will see it", required=True
    )
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_decide_referral(actor, referral))
    if referral.status not in (S.SUBMITTED, S.WAITLISTED, S.OFFERED):
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: it cannot be declined now."
        )
    held = referral.status == S.OFFERED
    referral.decline_reason = reason
    referral.decided_at = timezone.now()
    referral.decided_by = _actor_or_none(actor)
    _move(referral, to=S.DECLINED, actor=actor, reason=reason)
    _notify(
        referral,
        school_id=referral.referring_school_id,
        template="referral_decided",
        decision="declined",
        reason=reason,
    )
    if held:
        _free_place(referral)
        _offer_next(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, actor=actor)
    return referral


def _withdraw(referral: Referral, *, actor, reason: str, to: str) -> None:
    held = referral.holds_place and referral.status != S.COMPLETED
    _move(referral, to=to, actor=actor, reason=reason)
    if held:
        _free_place(referral)
        _offer_next(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, actor=actor)
