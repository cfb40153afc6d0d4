"""Every write of Stepping Stones. Each function is keyword-only, checks permission (PermissionDenied), validates
(core.errors.DomainError with `field`; Conflict → 409), writes in one transaction with its audit entry (verbs
"stepping_stones.*", target_label = the reference, never a pupil's name, UPN or date of birth) and sends emails after
commit (reference and link only).

Contract (public functions):

Programme set-up (coordinators)
- cohort_create(*, actor, transition_year, ends_on=None) -> Cohort: a new cohort ("2026 transition").
- cohort_update(*, actor, cohort, status=None, ends_on=None) -> Cohort: open/running/ended, end date for retention.
- participating_school_set(*, actor, cohort, school, places, feeder_primaries=None) -> ParticipatingSchool: add a
  secondary to a cohort or change its places/feeders (places never below those taken).
- need_create(*, actor, name, description="") -> Need; need_update(*, actor, need, name=None, description=None,
  is_active=None) -> Need: the list of needs (a rename is audited from → to).
- cohort_import_csv(*, actor, cohort, file) -> ImportResult: referrals from a CSV, every row checked first; any bad row
  raises CsvRejected(problems=[(line, message), ...]) and nothing is written. `IMPORT_COLUMNS` lists the columns.

Referrals
- referral_checks(*, cohort, referring_school, first_name, last_name, date_of_birth, upn, receiving_school=None,
  outside_age_group_reason="", exclude=None) -> list[DomainError]: every check at once (for forms), writes nothing.
- referral_create(*, actor, cohort, referring_school, first_name, last_name, date_of_birth, upn, receiving_school=None,
  needs=(), strengths="", known_by_name="", known_by_role="", outside_age_group_reason="", priority=3) -> Referral:
  a draft; raises ReferralInvalid (a DomainError with `.errors`, one per field) on any failed check.
- referral_update(*, actor, referral, **fields) -> Referral: change a draft or a not-yet-accepted referral (same
  fields as create); raises RecordLocked once the secondary has accepted (coordinators may still correct).
- consent_record(*, actor, referral, given_by_name, relationship, method, given_on, text_version) -> Consent.
- referral_submit(*, actor, referral) -> Referral: needs consent ("You cannot submit until you record parental
  consent"); goes to the secondary (submitted) or, with no secondary yet, to the VRU queue (pending_destination).
- referral_set_destination(*, actor, referral, receiving_school) -> Referral: route a pending referral (or set it on
  a draft) once the secondary is known.
- referral_accept(*, actor, referral) -> Referral: takes a place (PlacesFull, a Conflict, if none left); also confirms
  a place offered from the waiting list.
- referral_waitlist(*, actor, referral, priority=None) -> Referral: onto the waiting list (priority then date).
- referral_decline(*, actor, referral, reason) -> Referral: reason the primary sees; an offered place passes on.
- referral_advance(*, actor, referral, to, reason) -> Referral: accepted → enrolled → active → completed, each move
  with a short reason (audited from → to with it).
- offers_expire(*, today=None, actor=None) -> OfferExpiryReport: every place offered from the waiting list and not
  confirmed by its `offer_expires_on` passes to the next pupil on that school's waiting list (the withdrawal path);
  the expired referral is declined with a reason that says so. Run daily by `manage.py stepping_stones_offer_expiry`.
- progress_update(*, actor, referral, engagement_day_attended=None, summer_school_attended=None,
  sessions_attended=None, peer_mentor_assigned=None) -> Progress.
- referral_withdraw(*, actor, referral, reason, moved_school=False) -> Referral: withdrawn / moved school; a place it
  held is offered to the top of that school's waiting list.
- consent_withdraw(*, actor, referral, reason="") -> Referral: withdraws the pupil and minimises the record.

Possible duplicates (coordinators). A school is told about a duplicate UPN only among its own referrals; another
school's referral of the same UPN is accepted silently and the pair is flagged (PossibleDuplicate) for the coordinators:
- duplicate_merge(*, actor, duplicate, keep, note="") -> PossibleDuplicate: keep one record, withdraw the other.
- duplicate_decline(*, actor, duplicate, decline, reason) -> PossibleDuplicate: decline one (its school sees why).
- duplicate_keep_both(*, actor, duplicate, reason="") -> PossibleDuplicate: different pupils after all.

Data protection
- referral_viewed(*, actor, referral, what) -> None: log that someone viewed a pupil record ("detail", "search
  result", "check answers"...). Pages call it on every view of pupil data.
- referrals_listed(*, actor, references, filters=None, what="api list") -> None: ONE access record for a page of a
  referral list (who, when, the references shown, the filters), a single insert however long the page.
- referral_subject_access_export(*, actor, referral) -> dict: everything held about the pupil (coordinators).
- referral_erase(*, actor, referral, reason) -> Referral: erase the pupil on request; the row stays for counts.
- evaluation_export(*, actor, cohort) -> (filename, header, rows): pseudonymised rows for core.csv_export.
- retention_run(*, now=None, months=None, dry_run=False, actor=None) -> RetentionReport: pseudonymise records of
  cohorts ended more than STEPPING_STONES_RETENTION_MONTHS (default 24) months ago.
"""

import calendar
import logging
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import SchoolDuty, SchoolMembership
from core.csv_import import Column, CsvRejected, read_csv, upload_bytes
from core.emails import email_send
from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record
from schools.models import School

from . import permissions
from .models import Cohort, Consent, Need, ParticipatingSchool, PossibleDuplicate, Progress, Referral
from .upn import UpnInvalid, upn_check

logger = logging.getLogger("portal.stepping_stones")

DEFAULT_RETENTION_MONTHS = 24
DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS = 10
MAX_STATUS_REASON = 500
CONSENT_TEXT_VERSIONS = ("2025-1", "2026-1")
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_TEXT = 2000
VERB = "stepping_stones."

S = Referral.Status


class ReferralInvalid(DomainError):
    """One or more checks failed; `errors` holds every one (each a DomainError with its field)."""

    code = "referral_invalid"

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class DuplicateReferral(Conflict):
    code = "duplicate_referral"


class ConsentMissing(DomainError):
    code = "consent_missing"


class RecordLocked(Conflict):
    code = "record_locked"


class PlacesFull(Conflict):
    code = "places_full"


@dataclass
class ImportResult:
    created: list[Referral] = field(default_factory=list)
    temporary_upns: list[str] = field(default_factory=list)  # references of pupils with a temporary UPN


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


@dataclass
class RetentionReport:
    cutoff: date
    months: int
    dry_run: bool
    cohorts: list[int] = field(default_factory=list)  # transition years processed
    pseudonymised: int = 0
    already_done: int = 0

    def summary(self) -> str:
        verb = "Would pseudonymise" if self.dry_run else "Pseudonymised"
        years = ", ".join(str(y) for y in self.cohorts) or "none"
        return (
            f"{verb} {self.pseudonymised} pupil record(s) in cohorts ended before {self.cutoff.isoformat()} "
            f"({self.months} months): cohorts {years}; {self.already_done} already pseudonymised."
        )


# --- helpers ---------------------------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _audit(actor, verb: str, referral: Referral, *, from_state="", to_state="", reason="", data=None) -> None:
    """Audit a pupil record: label is the reference; `data` must never hold name, UPN or date of birth."""
    audit_record(
        actor=actor,
        verb=VERB + verb,
        target=referral,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        target_label=referral.reference,
    )


def _move(referral: Referral, *, to: str, actor, reason: str = "", data: dict | None = None) -> None:
    """The one place a referral's status changes: checks the workflow and writes the audit row."""
    current = referral.status
    if to not in Referral.NEXT[S(current)]:
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}, so it cannot become "
            f"{S(to).label.lower()}. Refresh the page to see its current state."
        )
    referral.status = to
    referral.save()
    _audit(actor, f"referral.{to}", referral, from_state=current, to_state=to, reason=reason, data=data)


def _locked(referral: Referral | int) -> Referral:
    pk = getattr(referral, "pk", referral)
    try:
        # Only the referral's row (not its cohort, which every insert into the cohort KEY SHARE-locks), and NO KEY
        # UPDATE: it serialises changes to the referral without blocking a row that merely refers to it.
        return Referral.objects.select_for_update(no_key=True, of=("self",)).select_related("cohort").get(pk=pk)
    except Referral.DoesNotExist:
        raise DomainError("There is no referral with that reference.", code="not_found") from None


def _site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _referral_url(referral: Referral) -> str:
    try:
        path = reverse("stepping_stones:referral_detail", kwargs={"reference": referral.reference})
    except NoReverseMatch:
        path = f"/stepping-stones/referrals/{referral.reference}/"
    return _site_link(path)


def _school_lead_emails(school_id: int | None) -> list[str]:
    """Stepping Stones leads of a school; its headteacher(s) when nobody holds the duty."""
    if school_id is None:
        return []
    duty_holders = (
        SchoolDuty.objects.current()
        .filter(
            duty=SchoolDuty.Duty.STEPPING_STONES_LEAD,
            membership__school_id=school_id,
            membership__ended_at__isnull=True,
            membership__user__is_active=True,
        )
        .values_list("membership__user__email", flat=True)
    )
    emails = sorted({e for e in duty_holders if e})
    if emails:
        return emails
    heads = (
        SchoolMembership.objects.current()
        .filter(school_id=school_id, role=SchoolMembership.Role.HEADTEACHER, user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return sorted({e for e in heads if e})


def _notify(referral: Referral, *, school_id: int | None, template: str, **extra) -> None:
    """An email with the reference and a link only: never the pupil's name, UPN or date of birth."""
    recipients = _school_lead_emails(school_id)
    if not recipients:
        return
    context = {
        "reference": referral.reference,
        "cohort": referral.cohort.name,
        "status": referral.get_status_display(),
        "url": _referral_url(referral),
        **extra,
    }
    email_send(to=recipients, template=f"stepping_stones/{template}", context=context)


def _school_name(school_id) -> str:
    return School.objects.filter(pk=school_id).values_list("name", flat=True).first() or ""


def _clean_text(value, *, field_name: str, label: str, required: bool = False, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else str(value).strip()
    if required and not text:
        raise DomainError(f"Enter {label}.", field=field_name)
    if len(text) > max_length:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer.", field=field_name)
    return text


def _as_date(value, *, field_name: str, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise DomainError(f"Enter {label}.", field=field_name)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError(f"{label[0].upper()}{label[1:]} must be a real date, like 27/3/2015.", field=field_name)


def _participating(cohort: Cohort, school_id) -> ParticipatingSchool | None:
    try:
        school_id = int(getattr(school_id, "pk", school_id))
    except (TypeError, ValueError):
        return None
    if not 100000 <= school_id <= 999999:  # a URN; anything else cannot match (and cannot overflow a query)
        return None
    return ParticipatingSchool.objects.filter(cohort=cohort, school_id=school_id).first()


def _clean_priority(value) -> int:
    try:
        priority = int(value)
    except (TypeError, ValueError):
        raise DomainError("Choose a priority: high, medium or standard.", field="priority") from None
    if priority not in Referral.Priority.values:
        raise DomainError("Choose a priority: high, medium or standard.", field="priority")
    return priority


# --- programme set-up ------------------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(*, actor, transition_year, ends_on: date | None = None) -> Cohort:
    """A new cohort: "the 2026 transition" is the pupils in Year 6 in 2025/26."""
    _require(permissions.can_manage_cohorts(actor))
    try:
        year = int(transition_year)
    except (TypeError, ValueError):
        raise DomainError("Enter the year the pupils start Year 7, like 2026.", field="transition_year") from None
    if not 2000 <= year <= 2100:
        raise DomainError("Enter the year the pupils start Year 7, like 2026.", field="transition_year")
    if Cohort.objects.filter(transition_year=year).exists():
        raise Conflict(f"There is already a {year} transition cohort.", field="transition_year")
    ends_on = _as_date(ends_on, field_name="ends_on", label="the end date") if ends_on else None
    ends_on = ends_on or Cohort.default_ends_on(year)
    if ends_on.year < year:
        raise DomainError("The cohort must end after its pupils start Year 7.", field="ends_on")
    cohort = Cohort.objects.create(transition_year=year, ends_on=ends_on)
    audit_record(actor=actor, verb=VERB + "cohort.created", target=cohort, to_state=cohort.status)
    return cohort


@transaction.atomic
def cohort_update(*, actor, cohort: Cohort, status: str | None = None, ends_on: date | None = None) -> Cohort:
    """Change a cohort's status (open for referrals / running / ended) or its end date (retention counts from it)."""
    _require(permissions.can_manage_cohorts(actor))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = cohort.status
    ends_before = cohort.ends_on
    if status is not None:
        if status not in Cohort.Status.values:
            raise DomainError("Choose a status from the list.", field="status")
        cohort.status = status
    if ends_on is not None:
        ends_on = _as_date(ends_on, field_name="ends_on", label="the end date")
        if ends_on.year < cohort.transition_year:
            raise DomainError("The cohort must end after its pupils start Year 7.", field="ends_on")
        cohort.ends_on = ends_on
    cohort.save()
    audit_record(
        actor=actor,
        verb=VERB + "cohort.updated",
        target=cohort,
        from_state=before,
        to_state=cohort.status,
        data={
            "ends_on": cohort.ends_on.isoformat(),
            **({"ends_on_before": ends_before.isoformat()} if ends_before != cohort.ends_on else {}),
        },
    )
    return cohort


@transaction.atomic
def participating_school_set(
    *, actor, cohort: Cohort, school: School, places, feeder_primaries=None
) -> ParticipatingSchool:
    """Add a secondary to a cohort, or change its places and feeder primaries; places never below those taken."""
    _require(permissions.can_manage_cohorts(actor))
    if school.phase not in School.RECEIVING_PHASES:
        raise DomainError(f"{school.name} is not a secondary school.", field="school")
    try:
        places = int(places)
    except (TypeError, ValueError):
        raise DomainError("Enter the number of places as a whole number, like 60.", field="places") from None
    if not 1 <= places <= 500:
        raise DomainError("The number of places must be between 1 and 500.", field="places")
    feeders = list(feeder_primaries) if feeder_primaries is not None else None
    if feeders is not None:
        not_primary = [f.name for f in feeders if f.phase not in School.FEEDER_PHASES]
        if not_primary:
            raise DomainError(f"{not_primary[0]} is not a primary school.", field="feeder_primaries")
    row, created = ParticipatingSchool.objects.get_or_create(cohort=cohort, school=school, defaults={"places": places})
    row = ParticipatingSchool.objects.select_for_update().get(pk=row.pk)
    before = None if created else row.places
    if places < row.places_taken:
        raise Conflict(
            f"{school.name} already has {row.places_taken} places taken, so it cannot have fewer places than that.",
            field="places",
        )
    row.places = places
    row.save()
    if feeders is not None:
        row.feeder_primaries.set(feeders)
    audit_record(
        actor=actor,
        verb=VERB + ("participating_school.added" if created else "participating_school.changed"),
        target=row,
        from_state="" if before is None else str(before),
        to_state=str(places),
        data={"school_urn": school.pk, "cohort": cohort.transition_year},
    )
    return row


@transaction.atomic
def need_create(*, actor, name: str, description: str = "") -> Need:
    """A new need on the list schools choose from; names are unique (ignoring case)."""
    _require(permissions.can_manage_cohorts(actor))
    name = _clean_text(name, field_name="name", label="the need", required=True, max_length=120)
    description = _clean_text(description, field_name="description", label="the description", max_length=255)
    if Need.objects.filter(name__iexact=name).exists():
        raise Conflict("That need is already on the list.", field="name")
    need = Need.objects.create(name=name, description=description, order=Need.objects.count())
    audit_record(actor=actor, verb=VERB + "need.created", target=need)
    return need


@transaction.atomic
def need_update(
    *, actor, need: Need, name: str | None = None, description: str | None = None, is_active: bool | None = None
) -> Need:
    """Rename a need, change its description or stop offering it; names stay unique (ignoring case)."""
    _require(permissions.can_manage_cohorts(actor))
    need = Need.objects.select_for_update().get(pk=need.pk)
    name_before = need.name
    if name is not None:
        name = _clean_text(name, field_name="name", label="the need", required=True, max_length=120)
        if Need.objects.filter(name__iexact=name).exclude(pk=need.pk).exists():
            raise Conflict("That need is already on the list.", field="name")
        need.name = name
    if description is not None:
        need.description = _clean_text(description, field_name="description", label="the description", max_length=255)
    if is_active is not None:
        need.is_active = bool(is_active)
    need.save()
    data = {"name_before": name_before, "name": need.name} if need.name != name_before else {}
    audit_record(
        actor=actor,
        verb=VERB + "need.updated",
        target=need,
        to_state="active" if need.is_active else "off",
        data=data,
    )
    return need


# --- referral checks -------------------------------------------------------------------------------------------


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
        referring_phase = getattr(referring_school, "phase", None)
        if referring_phase is None:
            referring_phase = School.objects.filter(pk=referring_id).values_list("phase", flat=True).first()
        if referring_phase not in School.FEEDER_PHASES:
            errors.append(
                DomainError(
                    "Only a primary school (or an all-through school) refers its Year 6 pupils to Stepping Stones.",
                    field="referring_school",
                )
            )
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


# --- referrals -------------------------------------------------------------------------------------------------


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
    _require(permissions.can_refer_from(actor, referring_school))
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
    _require(permissions.can_submit_referral(actor, referral))
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
    _require(permissions.can_set_destination(actor, referral))
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
    _require(permissions.can_decide_referral(actor, referral))
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
    _require(permissions.can_decide_referral(actor, referral))
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
    _require(permissions.can_decide_referral(actor, referral))
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


@transaction.atomic
def referral_advance(*, actor, referral: Referral, to: str, reason: str = "") -> Referral:
    """Progress through the programme: accepted → enrolled → active → completed (receiving lead or coordinator),
    each move with a short reason, recorded in the audit with from → to."""
    if to not in (S.ENROLLED, S.ACTIVE, S.COMPLETED):
        raise DomainError("Choose enrolled, active or completed.", field="to")
    reason = _clean_text(
        reason,
        field_name="reason",
        label="a short reason for the change of status",
        required=True,
        max_length=MAX_STATUS_REASON,
    )
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    _require(permissions.can_update_progress(actor, referral))
    _move(referral, to=to, actor=actor, reason=reason)
    return referral


@transaction.atomic
def progress_update(
    *,
    actor,
    referral: Referral,
    engagement_day_attended: bool | None = None,
    summer_school_attended: bool | None = None,
    sessions_attended=None,
    peer_mentor_assigned: bool | None = None,
) -> Progress:
    """Attendance and peer mentor for a pupil with a place; None leaves a value as it is."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    _require(permissions.can_update_progress(actor, referral))
    if referral.status not in (S.ACCEPTED, S.ENROLLED, S.ACTIVE, S.COMPLETED):
        raise InvalidTransition(
            f"{referral.reference} is {referral.get_status_display().lower()}: progress is recorded once the pupil "
            "has a place."
        )
    progress, _ = Progress.objects.select_for_update().get_or_create(referral=referral)
    changed = {}
    if sessions_attended is not None and str(sessions_attended).strip() != "":
        try:
            sessions = int(sessions_attended)
        except (TypeError, ValueError):
            raise DomainError(
                "Enter the sessions attended as a whole number, like 6.", field="sessions_attended"
            ) from None
        if not 0 <= sessions <= 200:
            raise DomainError("Sessions attended must be between 0 and 200.", field="sessions_attended")
        changed["sessions_attended"] = sessions
    for name, value in (
        ("engagement_day_attended", engagement_day_attended),
        ("summer_school_attended", summer_school_attended),
        ("peer_mentor_assigned", peer_mentor_assigned),
    ):
        if value is not None:
            changed[name] = bool(value)
    before = {name: getattr(progress, name) for name in changed if getattr(progress, name) != changed[name]}
    changed = {name: value for name, value in changed.items() if name in before}
    if not changed:
        return progress  # the same answers again: nothing for the history
    for name, value in changed.items():
        setattr(progress, name, value)
    progress.updated_by = _actor_or_none(actor)
    progress.save()
    _audit(actor, "progress.updated", referral, data={**changed, "before": before})
    return progress


def _withdraw(referral: Referral, *, actor, reason: str, to: str) -> None:
    held = referral.holds_place and referral.status != S.COMPLETED
    _move(referral, to=to, actor=actor, reason=reason)
    if held:
        _free_place(referral)
        _offer_next(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id, actor=actor)


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
    _require(permissions.can_withdraw_referral(actor, referral))
    referral.leave_reason = reason
    _withdraw(referral, actor=actor, reason=reason, to=S.MOVED_SCHOOL if moved_school else S.WITHDRAWN)
    return referral


# --- possible duplicates (coordinators) ------------------------------------------------------------------------

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
    _require(permissions.can_decide_duplicates(actor))
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
    _require(permissions.can_decide_duplicates(actor))
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
    _require(permissions.can_decide_duplicates(actor))
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


_MINIMISED_FIELDS = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "upn": "",
    "strengths": "",
    "known_by_name": "",
    "known_by_role": "",
    "outside_age_group_reason": "",
    "decline_reason": "",
    "leave_reason": "",
}


def _minimise(referral: Referral, *, now) -> None:
    """Keep only what counts need (cohort, schools, status, needs, attendance); the pupil can no longer be identified
    from the record."""
    for name, value in _MINIMISED_FIELDS.items():
        setattr(referral, name, value)
    referral.minimised_at = referral.minimised_at or now
    referral.save()
    Consent.objects.filter(referral=referral).update(given_by_name="")


@transaction.atomic
def consent_withdraw(*, actor, referral: Referral, reason: str = "") -> Referral:
    """The parent or carer withdrew consent: a pupil still in the programme is withdrawn (a held place passes on);
    the record is minimised whatever its state (completed, declined... included)."""
    referral = _locked(referral)
    if not permissions.can_view_referral(actor, referral):
        raise PermissionDenied
    if not referral.has_personal_data:
        raise InvalidTransition(f"{referral.reference} has already been minimised: nothing is left to withdraw.")
    _require(permissions.can_withdraw_consent(actor, referral))
    reason = _clean_text(reason, field_name="reason", label="the reason", max_length=1000)
    now = timezone.now()
    Consent.objects.filter(referral=referral, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=_actor_or_none(actor)
    )
    _audit(actor, "consent.withdrawn", referral, reason=reason)
    if referral.status in Referral.LIVE:
        _withdraw(referral, actor=actor, reason="Consent withdrawn", to=S.WITHDRAWN)
    _minimise(referral, now=now)
    _audit(actor, "referral.minimised", referral, reason="Consent withdrawn")
    return referral


# --- data protection -------------------------------------------------------------------------------------------


def referral_viewed(*, actor, referral: Referral, what: str) -> None:
    """Log a view of a pupil record ("detail", "search result", "check answers", "api detail"...)."""
    what = (what or "record")[:60]
    _audit(actor, "referral.viewed", referral, data={"what": what})


LIST_VERB = VERB + "referrals.listed"
LIST_FILTERS = ("status", "cohort")


def referrals_listed(*, actor, references, filters=None, what: str = "api list") -> None:
    """One access record per list page (never one per row): who, when, the references on the page and the filters
    asked for. References only: a pupil's name, UPN or date of birth is never read or written here."""
    filters = filters or {}
    audit_record(
        actor=actor,
        verb=LIST_VERB,
        target=actor,
        target_label=f"Referral list: {len(references)} reference(s)",
        data={
            "what": (what or "list")[:60],
            "references": [str(reference)[:20] for reference in references],
            "filters": {name: str(filters[name])[:40] for name in LIST_FILTERS if filters.get(name)},
        },
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def referral_subject_access_export(*, actor, referral: Referral) -> dict:
    """Everything held about one pupil (record, consent, progress, history): coordinators only; audited."""
    _require(permissions.can_export_subject_access(actor, referral))
    referral = (
        Referral.objects.select_related("cohort", "referring_school", "receiving_school", "progress")
        .prefetch_related("needs", "consents")
        .get(pk=referral.pk)
    )
    progress = getattr(referral, "progress", None)
    from .selectors import referral_access_log  # local: selectors imports nothing from here

    history = [
        {
            "when": _iso(event.created_at),
            "who": event.actor_label,
            "what": event.verb.removeprefix(VERB),
            "from": event.from_state,
            "to": event.to_state,
            "reason": event.reason,
        }
        for event in referral_access_log(actor, referral).order_by("created_at", "id")
    ]
    data = {
        "reference": referral.reference,
        "generated_at": _iso(timezone.now()),
        "cohort": referral.cohort.name,
        "pupil": {
            "first_name": referral.first_name,
            "last_name": referral.last_name,
            "date_of_birth": _iso(referral.date_of_birth),
            "upn": referral.upn,
            "upn_is_temporary": referral.upn_is_temporary,
            "outside_age_group_reason": referral.outside_age_group_reason,
            "strengths": referral.strengths,
            "needs": [need.name for need in referral.needs.all()],
            "known_by_name": referral.known_by_name,
            "known_by_role": referral.known_by_role,
        },
        "referring_school": {"urn": referral.referring_school_id, "name": referral.referring_school.name},
        "receiving_school": (
            {"urn": referral.receiving_school_id, "name": referral.receiving_school.name}
            if referral.receiving_school_id
            else None
        ),
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "priority": referral.get_priority_display(),
        "decline_reason": referral.decline_reason,
        "leave_reason": referral.leave_reason,
        "dates": {
            "created": _iso(referral.created_at),
            "submitted": _iso(referral.submitted_at),
            "decided": _iso(referral.decided_at),
            "waitlisted": _iso(referral.waitlisted_at),
            "offered": _iso(referral.offered_at),
            "minimised": _iso(referral.minimised_at),
            "erased": _iso(referral.erased_at),
        },
        "consents": [
            {
                "given_by_name": consent.given_by_name,
                "relationship": consent.relationship,
                "method": consent.method,
                "given_on": _iso(consent.given_on),
                "text_version": consent.text_version,
                "recorded_at": _iso(consent.recorded_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in referral.consents.all()
        ],
        "progress": (
            {
                "engagement_day_attended": progress.engagement_day_attended,
                "summer_school_attended": progress.summer_school_attended,
                "sessions_attended": progress.sessions_attended,
                "peer_mentor_assigned": progress.peer_mentor_assigned,
            }
            if progress
            else None
        ),
        "history": history,
    }
    with transaction.atomic():
        _audit(actor, "referral.subject_access_export", referral)
    return data


@transaction.atomic
def referral_erase(*, actor, referral: Referral, reason: str) -> Referral:
    """Erase one pupil on request: every personal detail and consent record goes; the row stays for counts."""
    _require(permissions.can_erase_referral(actor, referral))
    reason = _clean_text(
        reason, field_name="reason", label="why the record is being erased", required=True, max_length=1000
    )
    referral = _locked(referral)
    if referral.erased_at is not None:
        raise Conflict(f"{referral.reference} has already been erased.")
    now = timezone.now()
    if referral.status in Referral.LIVE:
        _withdraw(referral, actor=actor, reason="Erased on request", to=S.WITHDRAWN)
    _minimise(referral, now=now)
    Consent.objects.filter(referral=referral).delete()
    referral.erased_at = now
    referral.save()
    _audit(actor, "referral.erased", referral, reason=reason)
    return referral


EVALUATION_HEADER = [
    "pseudonym",
    "cohort",
    "birth_month",
    "age_on_31_august_before_year_6",
    "temporary_upn",
    "outside_age_group",
    "referring_school_urn",
    "receiving_school_urn",
    "needs",
    "priority",
    "status",
    "submitted_month",
    "engagement_day_attended",
    "summer_school_attended",
    "sessions_attended",
    "peer_mentor_assigned",
]


def _evaluation_rows(cohort: Cohort):
    referrals = (
        Referral.objects.filter(cohort=cohort)
        .exclude(status=S.DRAFT)
        .select_related("progress")
        .prefetch_related("needs")
        .order_by("pseudonym")
    )
    year6_start = date(cohort.transition_year - 1, 8, 31)
    for referral in referrals.iterator(chunk_size=500):
        dob = referral.date_of_birth
        age = None
        if dob:
            age = year6_start.year - dob.year - ((year6_start.month, year6_start.day) < (dob.month, dob.day))
        progress = getattr(referral, "progress", None)
        yield [
            referral.pseudonym,
            cohort.transition_year,
            dob.strftime("%Y-%m") if dob else "",
            age if age is not None else "",
            referral.upn_is_temporary,
            bool(referral.outside_age_group_reason),
            referral.referring_school_id,
            referral.receiving_school_id or "",
            "; ".join(need.name for need in referral.needs.all()),
            referral.get_priority_display(),
            referral.status,
            referral.submitted_at.strftime("%Y-%m") if referral.submitted_at else "",
            "" if progress is None or progress.engagement_day_attended is None else progress.engagement_day_attended,
            "" if progress is None or progress.summer_school_attended is None else progress.summer_school_attended,
            progress.sessions_attended if progress else 0,
            progress.peer_mentor_assigned if progress else False,
        ]


def evaluation_export(*, actor, cohort: Cohort) -> tuple[str, list[str], object]:
    """The cohort's pseudonymised evaluation file: no names, UPNs or full dates of birth. Coordinators only; audited.

    Returns (filename, header, rows) for core.csv_export.csv_streaming_response.
    """
    _require(permissions.can_export_evaluation(actor))
    count = Referral.objects.filter(cohort=cohort).exclude(status=S.DRAFT).count()
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=VERB + "evaluation.exported",
            target=cohort,
            data={"cohort": cohort.transition_year, "rows": count},
        )
    return f"stepping-stones-evaluation-{cohort.transition_year}.csv", list(EVALUATION_HEADER), _evaluation_rows(cohort)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_months() -> int:
    value = getattr(settings, "STEPPING_STONES_RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS)
    try:
        months = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RETENTION_MONTHS
    return max(months, 1)


def retention_run(*, now=None, months: int | None = None, dry_run: bool = False, actor=None) -> RetentionReport:
    """Pseudonymise every pupil record of cohorts that ended more than `months` ago; counts stay (rows, statuses,
    schools, needs, attendance). Idempotent; reports what it did (or would do with dry_run)."""
    now = now or timezone.now()
    months = retention_months() if months is None else max(int(months), 1)
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    cutoff = _add_months(today, -months)
    report = RetentionReport(cutoff=cutoff, months=months, dry_run=dry_run)
    for cohort in Cohort.objects.filter(ends_on__lt=cutoff).order_by("transition_year"):
        referrals = Referral.objects.filter(cohort=cohort)
        pending = list(referrals.filter(minimised_at__isnull=True, erased_at__isnull=True).values_list("pk", flat=True))
        report.already_done += referrals.count() - len(pending)
        if not pending:
            continue
        report.cohorts.append(cohort.transition_year)
        report.pseudonymised += len(pending)
        if dry_run:
            continue
        with transaction.atomic():
            for pk in pending:
                referral = _locked(pk)
                _minimise(referral, now=now)
                _audit(actor, "referral.retention_pseudonymised", referral, data={"months": months})
            Cohort.objects.filter(pk=cohort.pk).update(retention_applied_at=now)
    logger.info(
        "stepping stones retention",
        extra={"pseudonymised": report.pseudonymised, "cohorts": len(report.cohorts), "dry_run": dry_run},
    )
    return report


# --- CSV import ------------------------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "referring_school_urn",
    "receiving_school_urn",
    "needs",
    "strengths",
    "priority",
    "outside_age_group_reason",
    "consent_given_by",
    "consent_relationship",
    "consent_method",
    "consent_given_on",
    "consent_text_version",
]
IMPORT_REQUIRED = [
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "referring_school_urn",
    "consent_given_by",
    "consent_relationship",
    "consent_method",
    "consent_given_on",
    "consent_text_version",
]
_PRIORITY_WORDS = {"high": 1, "medium": 2, "standard": 3, "1": 1, "2": 2, "3": 3, "": 3}


def _import_columns() -> list[Column]:
    """What the reader checks: lengths from the model fields the values are stored in, URNs as whole numbers."""
    stored = {
        "first_name": Column.for_field(Referral, "first_name"),
        "last_name": Column.for_field(Referral, "last_name"),
        "upn": Column("upn", max_length=20),  # longer than 13 to say what is wrong with it, not only "too long"
        "referring_school_urn": Column.for_field(Referral, "referring_school", name="referring_school_urn"),
        "receiving_school_urn": Column.for_field(Referral, "receiving_school", name="receiving_school_urn"),
        "strengths": Column("strengths", max_length=MAX_TEXT),
        "outside_age_group_reason": Column("outside_age_group_reason", max_length=MAX_TEXT),
        "consent_given_by": Column.for_field(Consent, "given_by_name", name="consent_given_by"),
        "consent_text_version": Column.for_field(Consent, "text_version", name="consent_text_version"),
    }
    return [
        replace(stored.get(name, Column(name, max_length=MAX_TEXT)), required=name in IMPORT_REQUIRED)
        for name in IMPORT_COLUMNS
    ]


def _read_csv(file) -> list[dict]:
    if hasattr(file, "size"):
        raw = upload_bytes(file, max_bytes=MAX_CSV_BYTES)  # by its recorded size: an oversize file is not read
    elif hasattr(file, "read"):
        raw = file.read(MAX_CSV_BYTES + 1)
    else:
        raw = file
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    table = read_csv(raw, columns=_import_columns(), max_bytes=MAX_CSV_BYTES)
    return [
        {name: "" if value is None else str(value) for name, value in row.values.items()} | {"_line": row.line}
        for row in table.rows
    ]


@transaction.atomic
def cohort_import_csv(*, actor, cohort: Cohort, file) -> ImportResult:
    """Import referrals (submitted, with consent) into a cohort. Every row is checked first; any bad row rejects the
    file with every problem listed, and nothing is written. Messages name the line and the column, never the value."""
    _require(permissions.can_manage_cohorts(actor))
    rows = _read_csv(file)
    problems: list[tuple[int, str]] = []
    schools = {s.pk: s for s in School.objects.all().only("pk", "name", "phase")}
    needs = {n.name.lower(): n for n in Need.objects.filter(is_active=True)}
    seen_upns: dict[str, int] = {}
    prepared = []
    for row in rows:
        index = row["_line"]
        row_problems: list[str] = []
        for column in IMPORT_REQUIRED:
            if not row.get(column):
                row_problems.append(f"{column} is empty")
        referring = receiving = None
        try:
            referring = schools[int(row.get("referring_school_urn") or 0)]
        except (KeyError, ValueError):
            if row.get("referring_school_urn"):
                row_problems.append("referring_school_urn is not a school in the register")
        if row.get("receiving_school_urn"):
            try:
                receiving = schools[int(row["receiving_school_urn"])]
            except (KeyError, ValueError):
                row_problems.append("receiving_school_urn is not a school in the register")
        checked, errors = _run_checks(
            cohort=cohort,
            referring_school=referring,
            first_name=row.get("first_name"),
            last_name=row.get("last_name"),
            date_of_birth=row.get("date_of_birth"),
            upn=row.get("upn"),
            receiving_school=receiving,
            outside_age_group_reason=row.get("outside_age_group_reason", ""),
        )
        for error in errors:
            if error.field == "referring_school" and not row.get("referring_school_urn"):
                continue
            if error.field in ("first_name", "last_name", "upn", "date_of_birth") and not row.get(error.field):
                continue  # already "is empty"
            row_problems.append(f"{error.field}: {error.message}")
        if checked.upn:
            if checked.upn in seen_upns:
                row_problems.append(f"upn: the same UPN is on line {seen_upns[checked.upn]}")
            else:
                seen_upns[checked.upn] = index
        row_needs = []
        for name in [n.strip() for n in (row.get("needs") or "").split(";") if n.strip()]:
            need = needs.get(name.lower())
            if need is None:
                row_problems.append(f"needs: '{name[:40]}' is not on the list of needs")
            else:
                row_needs.append(need)
        priority = _PRIORITY_WORDS.get((row.get("priority") or "").lower())
        if priority is None:
            row_problems.append("priority must be high, medium or standard")
        if row.get("consent_relationship") and row["consent_relationship"].lower() not in Consent.Relationship.values:
            row_problems.append("consent_relationship must be mother, father, carer, guardian or other")
        if row.get("consent_method") and row["consent_method"].lower() not in Consent.Method.values:
            row_problems.append("consent_method must be paper, verbal or email")
        consent_date = None
        if row.get("consent_given_on"):
            try:
                consent_date = _as_date(row["consent_given_on"], field_name="consent_given_on", label="the date")
                if consent_date > timezone.localdate():
                    row_problems.append("consent_given_on is in the future")
            except DomainError:
                row_problems.append("consent_given_on must be a date like 2026-03-27")
        if row.get("consent_text_version") and row["consent_text_version"] not in CONSENT_TEXT_VERSIONS:
            row_problems.append(f"consent_text_version must be one of {', '.join(CONSENT_TEXT_VERSIONS)}")
        if len(row.get("strengths", "")) > MAX_TEXT:
            row_problems.append(f"strengths must be {MAX_TEXT} characters or fewer")
        if row_problems:
            problems.extend((index, problem) for problem in row_problems)
            continue
        prepared.append((row, referring, receiving, checked, row_needs, priority, consent_date))
    if problems:
        raise CsvRejected.for_rows(problems, action="The file was not imported, nothing was saved")
    result = ImportResult()
    now = timezone.now()
    for row, referring, receiving, checked, row_needs, priority, consent_date in prepared:
        referral = Referral.objects.create(
            cohort=cohort,
            referring_school=referring,
            receiving_school=receiving,
            first_name=checked.first_name,
            last_name=checked.last_name,
            date_of_birth=checked.date_of_birth,
            upn=checked.upn,
            upn_is_temporary=checked.upn_is_temporary,
            outside_age_group_reason=checked.outside_age_group_reason,
            strengths=row.get("strengths", ""),
            priority=priority,
            created_by=_actor_or_none(actor),
            submitted_by=_actor_or_none(actor),
            submitted_at=now,
        )
        referral.needs.set(row_needs)
        Progress.objects.create(referral=referral)
        Consent.objects.create(
            referral=referral,
            given_by_name=row["consent_given_by"][:120],
            relationship=row["consent_relationship"].lower(),
            method=row["consent_method"].lower(),
            given_on=consent_date,
            text_version=row["consent_text_version"],
            recorded_by=_actor_or_none(actor),
        )
        _audit(actor, "referral.imported", referral, to_state=S.DRAFT, data={"temporary_upn": checked.upn_is_temporary})
        _move(referral, to=S.SUBMITTED if receiving else S.PENDING_DESTINATION, actor=actor, reason="Imported")
        result.created.append(referral)
        if checked.upn_is_temporary:
            result.temporary_upns.append(referral.reference)
    audit_record(
        actor=actor,
        verb=VERB + "cohort.imported",
        target=cohort,
        data={"rows": len(result.created), "temporary_upns": len(result.temporary_upns)},
    )
    return result
