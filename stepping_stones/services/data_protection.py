"""Data protection: access records of views and lists, consent withdrawn (record minimised), subject access, erasure,
the pseudonymised evaluation file and retention."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidTransition
from core.permissions import require
from core.services import audit_record

from .. import permissions
from ..models import Cohort, Consent, Referral
from ._common import DEFAULT_RETENTION_MONTHS, VERB, S, _actor_or_none, _audit, _clean_text, _locked, logger
from .places import _withdraw


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
    require(permissions.can_withdraw_consent(actor, referral))
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
    require(permissions.can_export_subject_access(actor, referral))
    referral = (
        Referral.objects.select_related("cohort", "referring_school", "receiving_school", "progress")
        .prefetch_related("needs", "consents")
        .get(pk=referral.pk)
    )
    progress = getattr(referral, "progress", None)
    from ..selectors import referral_access_log  # local: selectors imports nothing from here

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
    require(permissions.can_erase_referral(actor, referral))
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
    require(permissions.can_export_evaluation(actor))
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
