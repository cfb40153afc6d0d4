"""A referral from a primary: create, change (audited by what changed), consent, submit, route to a secondary,
withdraw."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, InvalidTransition
from core.permissions import require
from schools.models import School

from .. import permissions
from ..models import Cohort, Consent, Progress, Referral
from ._common import (
    CONSENT_TEXT_VERSIONS,
    MAX_TEXT,
    ConsentMissing,
    RecordLocked,
    ReferralInvalid,
    S,
    _actor_or_none,
    _as_date,
    _audit,
    _clean_priority,
    _clean_text,
    _locked,
    _move,
    _notify,
    _participating,
    _school_name,
)
from .duplicates import _flag_possible_duplicates
from .places import _withdraw
from .validation import _clean_needs, _duplicate_error, _run_checks


@transaction.atomic
def referral_create(
    *,
    actor,
    cohort: Cohort,
    referring_school: School,
    first_name: str,
    last_name: str,
    date_of_birth,
    upn: str,
    receiving_school: School | None = None,
    needs=(),
    strengths: str = "",
    known_by_name: str = "",
    known_by_role: str = "",
    outside_age_group_reason: str = "",
    priority=Referral.Priority.STANDARD,
) -> Referral:
    """A draft referral from a primary; every check runs first (ReferralInvalid lists them all)."""
    require(permissions.can_refer_from(actor, referring_school))
    if not cohort.is_open:
        raise DomainError(f"The {cohort.name} is not open for referrals.", field="cohort")
    checked, errors = _run_checks(
        cohort=cohort,
        referring_school=referring_school,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        upn=upn,
        receiving_school=receiving_school,
        outside_age_group_reason=outside_age_group_reason,
        whole_cohort=False,
    )
    extra = {}
    for name, value, label, limit in (
        ("strengths", strengths, "the pupil's strengths", MAX_TEXT),
        ("known_by_name", known_by_name, "the name of who knows the pupil", 120),
        ("known_by_role", known_by_role, "their role", 120),
    ):
        try:
            extra[name] = _clean_text(value, field_name=name, label=label, max_length=limit)
        except DomainError as error:
            errors.append(error)
    try:
        need_list = _clean_needs(needs)
        priority = _clean_priority(priority)
    except DomainError as error:
        errors.append(error)
    if errors:
        raise ReferralInvalid(errors)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                cohort=cohort,
                referring_school=referring_school,
                receiving_school_id=checked.receiving_school_id,
                first_name=checked.first_name,
                last_name=checked.last_name,
                date_of_birth=checked.date_of_birth,
                upn=checked.upn,
                upn_is_temporary=checked.upn_is_temporary,
                outside_age_group_reason=checked.outside_age_group_reason,
                priority=priority,
                created_by=_actor_or_none(actor),
                **extra,
            )
    except IntegrityError:  # the same school, racing itself: its own referral, which its leads can see
        raise ReferralInvalid([_duplicate_error(cohort)]) from None
    referral.needs.set(need_list)
    Progress.objects.create(referral=referral)
    _audit(
        actor,
        "referral.created",
        referral,
        to_state=referral.status,
        data={
            "cohort": cohort.transition_year,
            "referring_school_urn": referring_school.pk,
            "receiving_school_urn": checked.receiving_school_id,
            "temporary_upn": checked.upn_is_temporary,
            "outside_age_group": bool(checked.outside_age_group_reason),
        },
    )
    _flag_possible_duplicates(referral, actor=actor)
    return referral


REFERRAL_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "receiving_school",
    "needs",
    "strengths",
    "known_by_name",
    "known_by_role",
    "outside_age_group_reason",
    "priority",
)


# Pupil details: a change is audited by the field's name only, never its values (an audit entry outlives erasure).
PERSONAL_FIELDS = frozenset(
    {"first_name", "last_name", "date_of_birth", "upn", "strengths", "known_by_name", "known_by_role",
     "outside_age_group_reason"}
)  # fmt: skip


def _school_label(school_id) -> str:
    return _school_name(school_id) if school_id else "Not yet known"


def _referral_values(referral: Referral, *, with_needs: bool) -> dict:
    """What referral_update may change, as comparable values (needs by name, sorted; the school by id)."""
    values = {name: getattr(referral, name) for name in PERSONAL_FIELDS}
    values["receiving_school"] = referral.receiving_school_id
    values["priority"] = referral.priority
    if with_needs:
        values["needs"] = sorted(need.name for need in referral.needs.all())
    return values


def _changes(before: dict, after: dict) -> tuple[list[str], dict]:
    """(the fields that changed, from → to for those that are not pupil details: school, priority, needs)."""
    changed = sorted(name for name in after if after[name] != before.get(name))
    shown = {}
    for name in changed:
        if name == "receiving_school":
            shown[name] = [_school_label(before[name]), _school_label(after[name])]
        elif name == "priority":
            shown[name] = [Referral.Priority(before[name]).label, Referral.Priority(after[name]).label]
        elif name == "needs":
            shown[name] = [before[name], after[name]]
    return changed, shown


@transaction.atomic
def referral_update(*, actor, referral: Referral, **fields) -> Referral:
    """Change a referral's details: the referring primary until the secondary accepts; coordinators any live record.

    Pass the fields of the form (names in REFERRAL_EDITABLE_FIELDS). Audited with the names of the fields that changed
    (and from → to for the receiving school, priority and needs; never a pupil detail's value); saving the same answers
    again writes nothing and records nothing.
    """
    unknown = set(fields) - set(REFERRAL_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    referral = _locked(referral)
    before = _referral_values(referral, with_needs="needs" in fields)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    if not permissions.can_edit_referral(actor, referral):
        if permissions.leads_school(actor, referral.referring_school_id) and referral.has_personal_data:
            raise RecordLocked(
                f"{referral.reference} is {referral.get_status_display().lower()}: once the secondary school has "
                "accepted a pupil the primary can no longer change the record. Contact the secondary's Stepping "
                "Stones lead or the VRU coordinator."
            )
        raise PermissionDenied
    receiving = fields.get("receiving_school", referral.receiving_school_id)
    changing_school = getattr(receiving, "pk", receiving) != referral.receiving_school_id
    if "receiving_school" in fields and referral.status != S.DRAFT and changing_school:
        raise DomainError(
            "The receiving school can only change on a draft; use 'route' for a pending referral.",
            field="receiving_school",
        )
    checked, errors = _run_checks(
        cohort=referral.cohort,
        referring_school=referral.referring_school_id,
        first_name=fields.get("first_name", referral.first_name),
        last_name=fields.get("last_name", referral.last_name),
        date_of_birth=fields.get("date_of_birth", referral.date_of_birth),
        upn=fields.get("upn", referral.upn),
        receiving_school=receiving,
        outside_age_group_reason=fields.get("outside_age_group_reason", referral.outside_age_group_reason),
        exclude=referral,
        whole_cohort=False,
    )
    need_list = None
    try:
        if "needs" in fields:
            need_list = _clean_needs(fields["needs"])
        if "priority" in fields:
            referral.priority = _clean_priority(fields["priority"])
    except DomainError as error:
        errors.append(error)
    for name, label, limit in (
        ("strengths", "the pupil's strengths", MAX_TEXT),
        ("known_by_name", "the name of who knows the pupil", 120),
        ("known_by_role", "their role", 120),
    ):
        if name in fields:
            try:
                setattr(referral, name, _clean_text(fields[name], field_name=name, label=label, max_length=limit))
            except DomainError as error:
                errors.append(error)
    if errors:
        raise ReferralInvalid(errors)
    referral.first_name = checked.first_name
    referral.last_name = checked.last_name
    referral.date_of_birth = checked.date_of_birth
    referral.upn = checked.upn
    referral.upn_is_temporary = checked.upn_is_temporary
    referral.outside_age_group_reason = checked.outside_age_group_reason
    referral.receiving_school_id = checked.receiving_school_id
    after = _referral_values(referral, with_needs=False)
    if need_list is not None:
        after["needs"] = sorted(need.name for need in need_list)
    changed, shown = _changes(before, after)
    if not changed:
        return referral  # the same answers again: nothing to save, nothing for the history
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:  # the same school, racing itself
        raise ReferralInvalid([_duplicate_error(referral.cohort)]) from None
    if need_list is not None and "needs" in changed:
        referral.needs.set(need_list)
    _audit(actor, "referral.changed", referral, data={"fields": changed, "changes": shown})
    if "upn" in changed:
        _flag_possible_duplicates(referral, actor=actor)
    return referral


@transaction.atomic
def consent_record(
    *, actor, referral: Referral, given_by_name: str, relationship: str, method: str, given_on, text_version: str
) -> Consent:
    """Record a parent's or carer's consent (who, relationship, how, when, which text). Replaces any earlier record."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    if not permissions.can_record_consent(actor, referral):
        raise RecordLocked(f"{referral.reference} can no longer be changed by the referring school.")
    errors: list[DomainError] = []
    try:
        name = _clean_text(
            given_by_name,
            field_name="given_by_name",
            label="the name of the parent or carer who gave consent",
            required=True,
            max_length=120,
        )
    except DomainError as error:
        errors.append(error)
    if relationship not in Consent.Relationship.values:
        errors.append(DomainError("Choose their relationship to the pupil.", field="relationship"))
    if method not in Consent.Method.values:
        errors.append(DomainError("Choose how consent was given: paper, verbal or email.", field="method"))
    try:
        given = _as_date(given_on, field_name="given_on", label="the date consent was given")
        if given > timezone.localdate():
            errors.append(DomainError("The date consent was given must be today or in the past.", field="given_on"))
    except DomainError as error:
        errors.append(error)
    if text_version not in CONSENT_TEXT_VERSIONS:
        errors.append(
            DomainError("Choose the version of the consent text the parent or carer saw.", field="text_version")
        )
    if errors:
        raise ReferralInvalid(errors)
    current = _current_consent(referral)
    answers = {
        "given_by_name": name,
        "relationship": relationship,
        "method": method,
        "given_on": given,
        "text_version": text_version,
    }
    if current is not None and all(getattr(current, key) == value for key, value in answers.items()):
        return current  # the same consent saved again: nothing to replace, nothing for the history
    now = timezone.now()
    Consent.objects.filter(referral=referral, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=_actor_or_none(actor)
    )
    consent = Consent.objects.create(
        referral=referral,
        given_by_name=name,
        relationship=relationship,
        method=method,
        given_on=given,
        text_version=text_version,
        recorded_by=_actor_or_none(actor),
    )
    _audit(
        actor,
        "consent.recorded",
        referral,
        data={"method": method, "relationship": relationship, "text_version": text_version},
    )
    return consent


def _current_consent(referral: Referral) -> Consent | None:
    return Consent.objects.filter(referral=referral, withdrawn_at__isnull=True).first()


@transaction.atomic
def referral_submit(*, actor, referral: Referral) -> Referral:
    """Submit a draft: consent first; then to the secondary, or to the VRU queue when the secondary is not known."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    if referral.status != S.DRAFT:
        raise InvalidTransition(f"{referral.reference} has already been submitted.")
    require(permissions.can_submit_referral(actor, referral))
    if _current_consent(referral) is None:
        raise ConsentMissing(
            "You cannot submit until you record parental consent: who gave it, how and when.", field="consent"
        )
    _, errors = _run_checks(
        cohort=referral.cohort,
        referring_school=referral.referring_school_id,
        first_name=referral.first_name,
        last_name=referral.last_name,
        date_of_birth=referral.date_of_birth,
        upn=referral.upn,
        receiving_school=referral.receiving_school_id,
        outside_age_group_reason=referral.outside_age_group_reason,
        exclude=referral,
        whole_cohort=False,
    )
    if errors:
        raise ReferralInvalid(errors)
    referral.submitted_at = timezone.now()
    referral.submitted_by = _actor_or_none(actor)
    to = S.SUBMITTED if referral.receiving_school_id else S.PENDING_DESTINATION
    _move(referral, to=to, actor=actor)
    if to == S.SUBMITTED:
        _notify(referral, school_id=referral.receiving_school_id, template="referral_new")
    return referral


@transaction.atomic
def referral_set_destination(*, actor, referral: Referral, receiving_school: School) -> Referral:
    """The secondary is now known: a pending referral goes to that school (a draft just records it)."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    require(permissions.can_set_destination(actor, referral))
    school_id = getattr(receiving_school, "pk", receiving_school)
    if school_id is None or _participating(referral.cohort, school_id) is None:
        raise DomainError(
            f"That secondary school is not taking part in the {referral.cohort.name}.", field="receiving_school"
        )
    referral.receiving_school_id = school_id
    if referral.status == S.DRAFT:
        referral.save()
        _audit(actor, "referral.destination_set", referral, data={"receiving_school_urn": school_id})
        return referral
    _move(referral, to=S.SUBMITTED, actor=actor, reason="Destination known", data={"receiving_school_urn": school_id})
    _notify(referral, school_id=school_id, template="referral_new")
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral, reason: str, moved_school: bool = False) -> Referral:
    """Withdraw a pupil (or record they moved school) with a reason; a place they held goes to the waiting list."""
    reason = _clean_text(reason, field_name="reason", label="the reason", required=True)
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    if referral.status not in Referral.LIVE:
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: it can no longer be withdrawn."
        )
    require(permissions.can_withdraw_referral(actor, referral))
    referral.leave_reason = reason
    _withdraw(referral, actor=actor, reason=reason, to=S.MOVED_SCHOOL if moved_school else S.WITHDRAWN)
    return referral
