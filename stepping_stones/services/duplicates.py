"""Possible duplicates (coordinators): another school's referral of the same UPN is flagged, never revealed; merge,
decline one or keep both."""

import zlib

from django.db import connection, transaction
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition
from core.permissions import require
from core.services import audit_record

from .. import permissions
from ..models import PossibleDuplicate, Referral
from ._common import MAX_STATUS_REASON, VERB, S, _actor_or_none, _clean_text, _locked, _move, _notify
from .places import _free_place, _offer_next

MERGED_REASON = (
    "Merged by the VRU's Stepping Stones coordinators into another record for the same pupil, which continues. "
    "Contact the coordinators with any questions."
)


def _lock_upn(cohort_id: int, upn: str) -> None:
    """A transaction-long PostgreSQL advisory lock on (cohort, UPN): only referrals of the same UPN wait for each other,
    and no row is locked (a row lock on the cohort deadlocked with the KEY SHARE lock every referral insert takes on
    it). SQLite serialises writers anyway."""
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(upn.encode()) - 2**31  # a signed 32-bit key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [int(cohort_id), key])


def _flag_possible_duplicates(referral: Referral, *, actor) -> None:
    """Another school's referral of the same UPN in the cohort: flag the pair to the coordinators.

    The referring school is told nothing: its response is that of any new referral. A lock on (cohort, UPN) is taken
    first, so two schools referring the same UPN at the same moment still meet here (the second waits, then sees the
    first).
    """
    if not referral.upn:
        return
    _lock_upn(referral.cohort_id, referral.upn)
    others = (
        Referral.objects.filter(cohort_id=referral.cohort_id, upn=referral.upn, erased_at__isnull=True)
        .exclude(pk=referral.pk)
        .exclude(referring_school_id=referral.referring_school_id)
        .order_by("pk")
        .values_list("pk", "reference")
    )
    for other_id, other_reference in others:
        first, second = sorted((other_id, referral.pk))
        flag, created = PossibleDuplicate.objects.get_or_create(
            first_id=first, second_id=second, defaults={"cohort_id": referral.cohort_id}
        )
        if created:
            references = sorted((other_reference, referral.reference))
            audit_record(
                actor=actor,
                verb=VERB + "duplicate.flagged",
                target=flag,
                to_state=flag.decision,
                data={"references": references},
                target_label=" and ".join(references),
            )


def _open_duplicate(duplicate) -> PossibleDuplicate:
    pk = getattr(duplicate, "pk", duplicate)
    flag = (
        PossibleDuplicate.objects.select_for_update(of=("self",))
        .select_related("first", "second", "cohort")
        .filter(pk=pk)
        .first()
    )
    if flag is None:
        raise DomainError("There is no such possible duplicate.", code="not_found")
    if not flag.is_open:
        raise Conflict(
            f"{flag.label} are already decided ({flag.get_decision_display().lower()}). Refresh the page.",
            code="already_decided",
        )
    return flag


def _one_of(flag: PossibleDuplicate, which, *, field_name: str) -> tuple[Referral, Referral]:
    """(the referral named by `which`, the other one): `which` is a Referral, its pk or its reference."""
    key = getattr(which, "pk", which)
    for chosen, other in ((flag.first, flag.second), (flag.second, flag.first)):
        if key in (chosen.pk, chosen.reference) or (isinstance(key, str) and key.strip().upper() == chosen.reference):
            return chosen, other
    raise DomainError(f"Choose {flag.first.reference} or {flag.second.reference}.", field=field_name)


def _close_duplicate(referral: Referral, *, actor, reason: str, decline: bool) -> None:
    """Close one of a duplicate pair: declined where the workflow allows it, otherwise withdrawn; a place it held
    goes to the top of the waiting list."""
    held = referral.holds_place and referral.status != S.COMPLETED
    if decline and S.DECLINED in Referral.NEXT[S(referral.status)]:
        referral.decline_reason = reason
        referral.decided_at = timezone.now()
        referral.decided_by = _actor_or_none(actor)
        to = S.DECLINED
    else:
        referral.leave_reason = reason
        to = S.WITHDRAWN
    _move(referral, to=to, actor=actor, reason=reason, data={"possible_duplicate": True})
    if held:
        _free_place(referral)
        _offer_next(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, actor=actor)


def _decided(flag: PossibleDuplicate, *, actor, decision: str, kept: Referral | None, reason: str, data: dict):
    flag.decision = decision
    flag.kept = kept
    flag.reason = reason
    flag.decided_by = _actor_or_none(actor)
    flag.decided_at = timezone.now()
    flag.save()
    audit_record(
        actor=actor,
        verb=VERB + f"duplicate.{decision}",
        target=flag,
        from_state=PossibleDuplicate.Decision.OPEN,
        to_state=decision,
        reason=reason,
        data=data,
        target_label=flag.label,
    )
    return flag


@transaction.atomic
def duplicate_merge(*, actor, duplicate, keep, note: str = "") -> PossibleDuplicate:
    """Keep one record, close the other (withdrawn, "merged into another record for the same pupil"). Each referring
    school is emailed about its own referral only (reference and link): neither learns the other school or its
    pupil details."""
    require(permissions.can_decide_duplicates(actor))
    note = _clean_text(note, field_name="reason", label="the note", max_length=MAX_STATUS_REASON)
    flag = _open_duplicate(duplicate)
    kept, closed = _one_of(flag, keep, field_name="keep")
    kept, closed = _locked(kept), _locked(closed)
    if closed.status in Referral.LIVE:
        _close_duplicate(closed, actor=actor, reason=MERGED_REASON, decline=False)
    _decided(
        flag,
        actor=actor,
        decision=PossibleDuplicate.Decision.MERGED,
        kept=kept,
        reason=note,
        data={"kept": kept.reference, "closed": closed.reference},
    )
    _notify(closed, school_id=closed.referring_school_id, template="duplicate_decided", decision="merged_away")
    if kept.referring_school_id != closed.referring_school_id:
        _notify(kept, school_id=kept.referring_school_id, template="duplicate_decided", decision="kept")
    return flag


@transaction.atomic
def duplicate_decline(*, actor, duplicate, decline, reason: str) -> PossibleDuplicate:
    """Decline one of the two with a reason its referring school sees (withdrawn if it is past being declined)."""
    require(permissions.can_decide_duplicates(actor))
    reason = _clean_text(
        reason, field_name="reason", label="the reason: the referring school will see it", required=True
    )
    flag = _open_duplicate(duplicate)
    declined, kept = _one_of(flag, decline, field_name="decline")
    declined = _locked(declined)
    if declined.status not in Referral.LIVE:
        raise InvalidTransition(
            f"{declined.reference} is already {declined.get_status_display().lower()}. Keep both instead, or merge.",
            field="decline",
        )
    _close_duplicate(declined, actor=actor, reason=reason, decline=True)
    _decided(
        flag,
        actor=actor,
        decision=PossibleDuplicate.Decision.DECLINED,
        kept=kept,
        reason=reason,
        data={"declined": declined.reference, "kept": kept.reference},
    )
    _notify(declined, school_id=declined.referring_school_id, template="duplicate_decided", decision="declined")
    return flag


@transaction.atomic
def duplicate_keep_both(*, actor, duplicate, reason: str = "") -> PossibleDuplicate:
    """Two pupils after all (twins, a UPN typo): both referrals carry on unchanged; nobody is told anything."""
    require(permissions.can_decide_duplicates(actor))
    reason = _clean_text(reason, field_name="reason", label="the note", max_length=MAX_STATUS_REASON)
    flag = _open_duplicate(duplicate)
    return _decided(
        flag,
        actor=actor,
        decision=PossibleDuplicate.Decision.KEPT_BOTH,
        kept=None,
        reason=reason,
        data={"references": [flag.first.reference, flag.second.reference]},
    )
