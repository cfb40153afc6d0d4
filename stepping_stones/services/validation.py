"""Every check on a referral's pupil details (names, date of birth for the cohort, UPN, schools, needs), for the pages,
the API and the import."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.errors import DomainError
from schools.models import School

from ..models import Cohort, Need, Referral
from ..upn import UpnInvalid, upn_check
from ._common import DuplicateReferral, _as_date, _clean_text, _no_year_6_error, _participating


@dataclass
class _Checked:
    first_name: str
    last_name: str
    date_of_birth: date | None
    upn: str
    upn_is_temporary: bool
    outside_age_group_reason: str
    receiving_school_id: int | None


def _run_checks(
    *,
    cohort: Cohort,
    referring_school,
    first_name,
    last_name,
    date_of_birth,
    upn,
    receiving_school=None,
    outside_age_group_reason="",
    exclude: Referral | None = None,
    today: date | None = None,
    whole_cohort: bool = True,
) -> tuple[_Checked, list[DomainError]]:
    """Every check on a pupil's details. A school's referral flows pass `whole_cohort=False`: a duplicate UPN is then
    an error only among the referring school's own referrals (which its leads can see), and another school's referral
    of the same UPN is never revealed (see `_flag_possible_duplicates`). The coordinators' import, who see every
    referral, keeps the check over the whole cohort (the default)."""
    errors: list[DomainError] = []

    def attempt(fn):
        try:
            return fn()
        except DomainError as error:
            errors.append(error)
            return None

    first = attempt(
        lambda: _clean_text(
            first_name, field_name="first_name", label="the pupil's first name", required=True, max_length=100
        )
    )
    last = attempt(
        lambda: _clean_text(
            last_name, field_name="last_name", label="the pupil's last name", required=True, max_length=100
        )
    )
    reason = (
        attempt(
            lambda: _clean_text(
                outside_age_group_reason, field_name="outside_age_group_reason", label="the reason", max_length=1000
            )
        )
        or ""
    )
    dob = attempt(lambda: _as_date(date_of_birth, field_name="date_of_birth", label="the pupil's date of birth"))
    if dob is not None:
        today = today or timezone.localdate()
        start, end = cohort.year6_birth_range
        if dob > today:
            errors.append(DomainError("The date of birth must be in the past.", field="date_of_birth"))
        elif not (start <= dob <= end) and not reason:
            errors.append(
                DomainError(
                    f"Pupils in the {cohort.name} are in Year 6 in {cohort.year6_label}: born between "
                    f"{start:%-d %B %Y} and {end:%-d %B %Y}. If the pupil is outside their age group, say why.",
                    field="date_of_birth",
                )
            )
    upn_result = None
    try:
        upn_result = upn_check(upn)
    except UpnInvalid as error:
        errors.append(DomainError(str(error), field="upn", code="upn_invalid"))
    referring_id = getattr(referring_school, "pk", referring_school)
    if upn_result is not None and (whole_cohort or referring_id is not None):
        duplicate = Referral.objects.filter(cohort=cohort, upn=upn_result.upn, erased_at__isnull=True)
        if not whole_cohort:
            duplicate = duplicate.filter(referring_school_id=referring_id)
        if exclude is not None and exclude.pk:
            duplicate = duplicate.exclude(pk=exclude.pk)
        if duplicate.exists():
            errors.append(_duplicate_error(cohort, whole_cohort=whole_cohort))
    if referring_id is None:
        errors.append(DomainError("Choose the referring primary school.", field="referring_school"))
    else:
        referrer = referring_school if isinstance(referring_school, School) else None
        if referrer is None:
            referrer = (
                School.objects.filter(pk=referring_id)
                .only("name", "phase", "statutory_low_age", "statutory_high_age")
                .first()
            )
        if referrer is None or referrer.phase not in School.FEEDER_PHASES:
            errors.append(
                DomainError(
                    "Only a primary school (or an all-through school) refers its Year 6 pupils to Stepping Stones.",
                    field="referring_school",
                )
            )
        elif referrer.leaves_out_year_6:
            errors.append(_no_year_6_error(referrer, field="referring_school"))
    receiving_id = getattr(receiving_school, "pk", receiving_school) if receiving_school else None
    if receiving_id is not None and _participating(cohort, receiving_id) is None:
        errors.append(
            DomainError(
                f"That secondary school is not taking part in the {cohort.name}. Choose one that is, or "
                "'not yet known'.",
                field="receiving_school",
            )
        )
    checked = _Checked(
        first_name=first or "",
        last_name=last or "",
        date_of_birth=dob,
        upn=upn_result.upn if upn_result else "",
        upn_is_temporary=bool(upn_result and upn_result.is_temporary),
        outside_age_group_reason=reason,
        receiving_school_id=receiving_id,
    )
    return checked, errors


def _duplicate_error(cohort: Cohort, *, whole_cohort: bool = False) -> DuplicateReferral:
    who = "" if whole_cohort else " by this school"
    return DuplicateReferral(
        f"This pupil (the same UPN) has already been referred{who} into the {cohort.name}.", field="upn"
    )


def referral_checks(
    *,
    cohort: Cohort,
    referring_school,
    first_name,
    last_name,
    date_of_birth,
    upn,
    receiving_school=None,
    outside_age_group_reason="",
    exclude: Referral | None = None,
) -> list[DomainError]:
    """Every check on a referral's pupil details at once (for a form step); writes nothing."""
    _, errors = _run_checks(
        cohort=cohort,
        referring_school=referring_school,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        upn=upn,
        receiving_school=receiving_school,
        outside_age_group_reason=outside_age_group_reason,
        exclude=exclude,
        whole_cohort=False,
    )
    return errors


def _clean_needs(needs) -> list[Need]:
    needs = list(needs or [])
    ids = [getattr(n, "pk", n) for n in needs]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise DomainError("Choose needs from the list.", field="needs") from None
    if any(not 0 < i < 2**31 for i in ids):
        raise DomainError("Choose needs from the list.", field="needs")
    found = list(Need.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise DomainError("Choose needs from the list.", field="needs")
    return found
