"""Programme set-up (coordinators): cohorts, participating secondaries with their places and feeders, the list of
needs."""

from datetime import date

from django.db import transaction

from core.errors import Conflict, DomainError
from core.permissions import require
from core.services import audit_record
from schools.models import School

from .. import permissions
from ..models import Cohort, Need, ParticipatingSchool
from ._common import VERB, _as_date, _clean_text, _no_year_6_error


@transaction.atomic
def cohort_create(*, actor, transition_year, ends_on: date | None = None) -> Cohort:
    """A new cohort: "the 2026 transition" is the pupils in Year 6 in 2025/26."""
    require(permissions.can_manage_cohorts(actor))
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
    require(permissions.can_manage_cohorts(actor))
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
    require(permissions.can_manage_cohorts(actor))
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
        without_year_6 = [f for f in feeders if f.leaves_out_year_6]
        if without_year_6:
            raise _no_year_6_error(without_year_6[0], field="feeder_primaries")
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
    require(permissions.can_manage_cohorts(actor))
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
    require(permissions.can_manage_cohorts(actor))
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
