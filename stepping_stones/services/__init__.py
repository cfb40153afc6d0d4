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

from django.core.exceptions import PermissionDenied

from core.csv_import import CsvRejected
from core.errors import Conflict, DomainError, InvalidTransition

from ._common import (
    CONSENT_TEXT_VERSIONS,
    DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS,
    DEFAULT_RETENTION_MONTHS,
    MAX_CSV_BYTES,
    MAX_STATUS_REASON,
    MAX_TEXT,
    VERB,
    ConsentMissing,
    DuplicateReferral,
    PlacesFull,
    RecordLocked,
    ReferralInvalid,
    _move,
    no_year_6_message,
)
from .cohorts import (
    cohort_create,
    cohort_update,
    need_create,
    need_update,
    participating_school_set,
)
from .data_protection import (
    EVALUATION_HEADER,
    LIST_FILTERS,
    LIST_VERB,
    RetentionReport,
    consent_withdraw,
    evaluation_export,
    referral_erase,
    referral_subject_access_export,
    referral_viewed,
    referrals_listed,
    retention_months,
    retention_run,
)
from .duplicates import (
    MERGED_REASON,
    _flag_possible_duplicates,
    duplicate_decline,
    duplicate_keep_both,
    duplicate_merge,
)
from .imports import (
    IMPORT_COLUMNS,
    IMPORT_REQUIRED,
    ImportResult,
    cohort_import_csv,
)
from .places import (
    OfferExpiryReport,
    offer_expiry_date,
    offer_expiry_school_days,
    offers_expire,
    referral_accept,
    referral_decline,
    referral_waitlist,
)
from .progress import (
    progress_update,
    referral_advance,
)
from .referrals import (
    PERSONAL_FIELDS,
    REFERRAL_EDITABLE_FIELDS,
    consent_record,
    referral_create,
    referral_set_destination,
    referral_submit,
    referral_update,
    referral_withdraw,
)
from .validation import (
    referral_checks,
)

__all__ = [
    "CONSENT_TEXT_VERSIONS",
    "Conflict",
    "ConsentMissing",
    "CsvRejected",
    "DEFAULT_OFFER_EXPIRY_SCHOOL_DAYS",
    "DEFAULT_RETENTION_MONTHS",
    "DomainError",
    "DuplicateReferral",
    "EVALUATION_HEADER",
    "IMPORT_COLUMNS",
    "IMPORT_REQUIRED",
    "ImportResult",
    "InvalidTransition",
    "LIST_FILTERS",
    "LIST_VERB",
    "MAX_CSV_BYTES",
    "MAX_STATUS_REASON",
    "MAX_TEXT",
    "MERGED_REASON",
    "no_year_6_message",
    "OfferExpiryReport",
    "PERSONAL_FIELDS",
    "PermissionDenied",
    "PlacesFull",
    "REFERRAL_EDITABLE_FIELDS",
    "RecordLocked",
    "ReferralInvalid",
    "RetentionReport",
    "VERB",
    "_flag_possible_duplicates",
    "_move",
    "cohort_create",
    "cohort_import_csv",
    "cohort_update",
    "consent_record",
    "consent_withdraw",
    "duplicate_decline",
    "duplicate_keep_both",
    "duplicate_merge",
    "evaluation_export",
    "need_create",
    "need_update",
    "offer_expiry_date",
    "offer_expiry_school_days",
    "offers_expire",
    "participating_school_set",
    "progress_update",
    "referral_accept",
    "referral_advance",
    "referral_checks",
    "referral_create",
    "referral_decline",
    "referral_erase",
    "referral_set_destination",
    "referral_subject_access_export",
    "referral_submit",
    "referral_update",
    "referral_viewed",
    "referral_waitlist",
    "referral_withdraw",
    "referrals_listed",
    "retention_months",
    "retention_run",
]
