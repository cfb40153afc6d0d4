"""What every Stepping Stones service shares: settings, errors, the audit entry, the one status move (`_move`), the row
lock, emails to a school's leads, and the small cleaners of typed values."""

import logging
from datetime import date, datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from accounts.models import SchoolDuty, SchoolMembership
from core.emails import email_send
from core.errors import Conflict, DomainError
from core.services import audit_record
from core.workflow import transition
from schools.models import School

from ..models import Cohort, ParticipatingSchool, Referral

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
    """The one place a referral's status changes: `core.workflow.transition` checks Referral.NEXT, saves and writes
    the audit row (labelled by the reference, never the pupil)."""
    transition(
        referral,
        to=to,
        actor=actor,
        verb=f"{VERB}referral.{to}",
        refused=lambda: (
            f"{referral.reference} is {referral.get_status_display().lower()}, so it cannot become "
            f"{S(to).label.lower()}. Refresh the page to see its current state."
        ),
        reason=reason,
        data=data or {},
        target_label=referral.reference,
    )


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


def no_year_6_message(school: School) -> str:
    """Why a school whose statutory age range in the register leaves out Year 6 (`School.leaves_out_year_6`: an
    infant school, 3 to 7) cannot refer: it has no Year 6 pupils, so it neither refers them nor feeds a secondary."""
    return (
        f"{school.name} does not teach Year 6: the school register lists it for pupils {school.ages_label}. Only a "
        "school with Year 6 pupils refers them to Stepping Stones."
    )


def _no_year_6_error(school: School, *, field: str) -> DomainError:
    return DomainError(no_year_6_message(school), field=field)
