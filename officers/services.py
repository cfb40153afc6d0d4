"""Every write of the officers app. Hard rules: an officer serves the BCU that covers the school; load within capacity
unless the allocator gives a reason; one current named officer per school (row lock plus a conditional unique
constraint); ending an officer puts their schools back in the queue."""

import logging
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from core.csv_import import Column, CsvRejected, read_csv
from core.emails import email_send
from core.errors import Conflict, DomainError
from core.services import audit_record
from schools.models import School

from . import permissions, selectors
from .models import Assignment, Officer, OfficerRequest, OptimiserRun, SchoolWeightOverride, SchoolWeightRule

logger = logging.getLogger("portal.officers")

OFFICER_FIELDS = (
    "name",
    "shoulder_number",
    "rank",
    "role_type",
    "bcu",
    "base_name",
    "base_postcode",
    "base_latitude",
    "base_longitude",
    "capacity",
    "work_email",
    "work_phone",
    "user",
)


def _load(officer_id: int) -> int:
    return (
        Assignment.objects.filter(officer_id=officer_id, end_date__isnull=True).aggregate(total=Sum("weight"))["total"]
        or 0
    )


@transaction.atomic
def officer_create(
    *,
    actor,
    name: str,
    shoulder_number: str,
    bcu,
    base_name: str,
    base_postcode: str,
    base_latitude: float,
    base_longitude: float,
    capacity: int,
    rank: str = Officer.Rank.PC,
    role_type: str = Officer.RoleType.SAFER_SCHOOLS,
    work_email: str = "",
    work_phone: str = "",
    user=None,
) -> Officer:
    """An allocator adds an officer in one of their BCUs; shoulder numbers are unique."""
    if not permissions.can_allocate_in_bcu(actor, bcu):
        raise PermissionDenied
    if capacity is None or capacity <= 0:
        raise DomainError("Enter a capacity greater than 0.", field="capacity")
    if Officer.objects.filter(shoulder_number__iexact=shoulder_number).exists():
        raise DomainError(f"An officer with shoulder number {shoulder_number} already exists.", field="shoulder_number")
    officer = Officer.objects.create(
        name=name,
        shoulder_number=shoulder_number,
        bcu=bcu,
        base_name=base_name,
        base_postcode=base_postcode,
        base_latitude=base_latitude,
        base_longitude=base_longitude,
        capacity=capacity,
        rank=rank,
        role_type=role_type,
        work_email=work_email,
        work_phone=work_phone,
        user=user,
    )
    audit_record(actor=actor, verb="officer.created", target=officer, to_state="active")
    return officer


def _display(officer: Officer, key: str) -> str:
    value = getattr(officer, key)
    if key in ("rank", "role_type"):
        return getattr(officer, f"get_{key}_display")()
    if key == "bcu":
        return value.name if value is not None else ""
    if key == "user":
        return str(value.pk) if value is not None else ""
    return str(value)


@transaction.atomic
def officer_update(*, actor, officer_id: int, reason: str = "", confirm_move: bool = False, **changes) -> Officer:
    """Change an officer's details, audited field by field (from → to).

    A capacity below the current load needs a reason (the officer stays over capacity until schools move). Moving
    the officer to another BCU ends their assignments outside it, putting those schools back in the queue; that
    needs `confirm_move` (the page shows a confirmation listing the schools)."""
    officer = Officer.objects.select_for_update().select_related("bcu").filter(pk=officer_id).first()
    if officer is None or not permissions.can_manage_officer(actor, officer):
        raise PermissionDenied
    unknown = set(changes) - set(OFFICER_FIELDS)
    if unknown:
        raise ValueError(f"Not officer fields: {sorted(unknown)}")
    if not officer.active:
        raise Conflict("This officer has ended: their details can no longer change.")
    changes = {key: value for key, value in changes.items() if getattr(officer, key) != value}
    if "bcu" in changes and not permissions.can_allocate_in_bcu(actor, changes["bcu"]):
        raise DomainError("Choose one of your BCUs.", field="bcu")
    if "shoulder_number" in changes:
        number = (changes["shoulder_number"] or "").strip().upper()
        if not number:
            raise DomainError("Enter the shoulder number.", field="shoulder_number")
        if Officer.objects.filter(shoulder_number__iexact=number).exclude(pk=officer.pk).exists():
            raise DomainError(f"An officer with shoulder number {number} already exists.", field="shoulder_number")
        changes["shoulder_number"] = number
    load = _load(officer.pk)
    leaving = []
    if "bcu" in changes:
        leaving = list(
            Assignment.objects.select_for_update()
            .filter(officer=officer, end_date__isnull=True)
            .exclude(school__local_authority__bcu=changes["bcu"])
            .select_related("school")
        )
        if leaving and not confirm_move:
            raise DomainError(
                f"Moving {officer.name} to {changes['bcu'].name} ends their {len(leaving)} "
                f"school{'s' if len(leaving) != 1 else ''} outside it, which go back to the queue. Confirm the move.",
                field="bcu",
            )
        load -= sum(a.weight for a in leaving)
    if "capacity" in changes:
        if changes["capacity"] is None or changes["capacity"] <= 0:
            raise DomainError("Enter a capacity greater than 0.", field="capacity")
        if changes["capacity"] < load and not reason.strip():
            raise DomainError(
                f"The capacity ({changes['capacity']}) is below {officer.name}'s current load ({load}). Give a "
                "reason to leave them over capacity for now, or move some of their schools first.",
                field="reason",
            )
    if not changes:
        return officer
    before = {key: _display(officer, key) for key in changes}
    for key, value in changes.items():
        setattr(officer, key, value)
    try:
        with transaction.atomic():
            officer.save()
    except IntegrityError as error:
        raise Conflict("Someone else changed this officer at the same moment. Check and try again.") from error
    today = timezone.localdate()
    for assignment in leaving:
        _end(assignment, actor=actor, reason=f"Officer moved to {officer.bcu.name}", today=today)
    after = {key: _display(officer, key) for key in changes}
    audit_record(
        actor=actor,
        verb="officer.updated",
        target=officer,
        from_state="; ".join(f"{key}: {value}" for key, value in before.items())[:80],
        to_state="; ".join(f"{key}: {value}" for key, value in after.items())[:80],
        reason=reason,
        data={"before": before, "after": after, "schools_back_in_queue": [a.school_id for a in leaving]},
    )
    return officer


@transaction.atomic
def officer_end(*, actor, officer_id: int, reason: str) -> list[int]:
    """An officer leaves or moves: they become inactive and every school of theirs goes back to the queue."""
    officer = Officer.objects.select_for_update().get(pk=officer_id)
    if not permissions.can_manage_officer(actor, officer):
        raise PermissionDenied
    if not reason.strip():
        raise DomainError(
            "Say why this officer is ending (for example: left the Met, moved to another team).", field="reason"
        )
    if not officer.active:
        raise Conflict("This officer has already ended.")
    today = timezone.localdate()
    current = list(Assignment.objects.select_for_update().filter(officer=officer, end_date__isnull=True))
    for assignment in current:
        _end(assignment, actor=actor, reason=f"Officer ended: {reason}", today=today)
    officer.active = False
    officer.ended_at = timezone.now()
    officer.end_reason = reason
    officer.save(update_fields=["active", "ended_at", "end_reason"])
    audit_record(
        actor=actor,
        verb="officer.ended",
        target=officer,
        from_state="active",
        to_state="ended",
        reason=reason,
        data={"schools_back_in_queue": [a.school_id for a in current]},
    )
    return [a.school_id for a in current]


def _end(assignment: Assignment, *, actor, reason: str, today: date) -> None:
    # An assignment made today and ended today still satisfies start <= end.
    assignment.end_date = max(today, assignment.start_date)
    assignment.end_reason = reason
    assignment.save(update_fields=["end_date", "end_reason"])
    audit_record(
        actor=actor,
        verb="assignment.ended",
        target=assignment,
        from_state="current",
        to_state="ended",
        reason=reason,
        data={"school": assignment.school_id, "officer": assignment.officer_id},
    )


def _lock_school(urn: int) -> School:
    school = School.objects.select_for_update(of=("self",)).select_related("local_authority").filter(pk=urn).first()
    if school is None:
        raise DomainError("There is no school with this URN.", field="school")
    return school


def _refuse_city_of_london(school: School) -> None:
    if school.local_authority.bcu_id is None:
        raise DomainError(
            f"{school.name} is policed by the City of London Police, which this service does not cover.",
            field="school",
        )


def _assign(
    *,
    actor,
    school: School,
    officer: Officer,
    weight: int,
    start_date: date,
    reason: str,
    override_reason: str,
    replace: bool,
) -> Assignment:
    """The hard rules, with the school and officer rows already locked."""
    _refuse_city_of_london(school)
    if not officer.active:
        raise DomainError(f"{officer.name} is no longer an active officer.", field="officer")
    if officer.bcu_id != school.local_authority.bcu_id:
        raise DomainError(
            f"{officer.name} serves {officer.bcu.name}, not the BCU that covers {school.name}.", field="officer"
        )
    current = Assignment.objects.select_for_update().filter(school=school, end_date__isnull=True).first()
    if current is not None and current.officer_id == officer.pk:
        raise Conflict(f"{officer.name} is already the named officer for {school.name}.")
    if current is not None and not replace:
        raise Conflict(
            f"{school.name} has just been given {current.officer.name} as its named officer by someone "
            "else. Check the school again before changing it."
        )
    load_after = _load(officer.pk) + weight
    if load_after > officer.capacity and not override_reason.strip():
        raise DomainError(
            f"{officer.name} would be at {round(100 * load_after / officer.capacity)}% of capacity. "
            "Give a reason to go over capacity, or choose another officer.",
            field="override_reason",
        )
    if current is not None:
        _end(current, actor=actor, reason=f"Replaced by {officer.name}: {reason or override_reason}", today=start_date)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                officer=officer,
                school=school,
                start_date=start_date,
                weight=weight,
                reason=reason,
                override_reason=override_reason,
                created_by=actor,
            )
    except IntegrityError as error:
        raise Conflict(
            f"{school.name} already has a named officer: someone else assigned one at the same moment."
        ) from error
    OfficerRequest.objects.filter(school=school, status=OfficerRequest.Status.OPEN).update(
        status=OfficerRequest.Status.RESOLVED, resolved_at=timezone.now()
    )
    audit_record(
        actor=actor,
        verb="assignment.created",
        target=assignment,
        to_state="current",
        reason=override_reason or reason,
        data={
            "school": school.pk,
            "officer": officer.pk,
            "weight": weight,
            "load_after": load_after,
            "capacity": officer.capacity,
            "replaced_officer": current.officer_id if current else None,
        },
    )
    if officer.work_email:
        email_send(
            to=[officer.work_email],
            template="officers/school_assigned",
            context={
                "officer_name": officer.name,
                "school_name": school.name,
                "urn": school.pk,
                "start_date": start_date.isoformat(),
            },
        )
    _tell_headteachers(school, officer, start_date)
    return assignment


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def _tell_headteachers(school: School, officer: Officer, start_date: date) -> None:
    """The school's headteachers learn their named officer's name, role and work contact (after commit)."""
    recipients = selectors.headteacher_emails_for(school)
    if not recipients:
        return
    email_send(
        to=recipients,
        template="officers/named_officer",
        context={
            "school_name": school.name,
            "officer_name": officer.name,
            "rank": officer.get_rank_display(),
            "role_type": officer.get_role_type_display(),
            "bcu": officer.bcu.name,
            "work_email": officer.work_email,
            "work_phone": officer.work_phone,
            "base_name": officer.base_name,
            "start_date": start_date.isoformat(),
            "link": _link("officers:named_officer"),
        },
    )


@transaction.atomic
def assignment_create(
    *,
    actor,
    school_urn: int,
    officer_id: int,
    start_date: date | None = None,
    reason: str = "",
    override_reason: str = "",
    replace: bool = False,
    require_top_or_reason: bool = True,
) -> Assignment:
    """Make an officer the named contact for a school. Choosing someone other than the top suggestion needs a reason."""
    school = _lock_school(school_urn)
    _refuse_city_of_london(school)
    if not permissions.can_allocate_for_school(actor, school):
        raise PermissionDenied
    officer = Officer.objects.select_for_update().select_related("bcu").filter(pk=officer_id).first()
    if officer is None or not permissions.can_manage_officer(actor, officer):
        raise DomainError("Choose an officer from your BCUs.", field="officer")
    start_date = start_date or timezone.localdate()
    if require_top_or_reason and not override_reason.strip():
        suggestions, _note = selectors.suggestions_for(school, limit=1)
        if suggestions and suggestions[0].officer.pk != officer.pk:
            raise DomainError(
                f"{officer.name} is not the top suggestion ({suggestions[0].officer.name}). Say why you chose them.",
                field="override_reason",
            )
    weight = selectors.school_weight(school)
    return _assign(
        actor=actor,
        school=school,
        officer=officer,
        weight=weight,
        start_date=start_date,
        reason=reason,
        override_reason=override_reason,
        replace=replace,
    )


@transaction.atomic
def assignment_end(*, actor, assignment_id: int, reason: str, end_date: date | None = None) -> Assignment:
    """End a school's named officer (today, or on an earlier date when it is recorded late); the school goes back
    to the queue. The end date may not be before the start date nor in the future."""
    assignment = Assignment.objects.select_for_update().select_related("school__local_authority").get(pk=assignment_id)
    if not permissions.can_allocate_for_school(actor, assignment.school):
        raise PermissionDenied
    if assignment.end_date is not None:
        raise Conflict("This assignment has already ended.")
    if not reason.strip():
        raise DomainError("Say why this officer is no longer the school's named contact.", field="reason")
    today = timezone.localdate()
    if end_date is not None:
        if end_date > today:
            raise DomainError("The end date cannot be in the future.", field="end_date")
        if end_date < assignment.start_date:
            raise DomainError(
                f"The end date cannot be before the start date ({assignment.start_date:%-d %B %Y}).", field="end_date"
            )
        today = end_date
    _end(assignment, actor=actor, reason=reason, today=today)
    return assignment


@transaction.atomic
def plan_apply(*, actor, bcu_id: int, pairs: list[tuple[int, int]], allow_moves: bool = False) -> list[Assignment]:
    """Apply chosen optimiser proposals in one action: every pair passes the hard rules, or nothing is written."""
    if not permissions.can_allocate_in_bcu(actor, bcu_id):
        raise PermissionDenied
    if not pairs:
        raise DomainError("Choose at least one proposed assignment to apply.", field="pairs")
    made, problems = [], []
    today = timezone.localdate()
    officers = {
        o.pk: o
        for o in Officer.objects.select_for_update()
        .select_related("bcu")
        .filter(pk__in={officer_id for _urn, officer_id in pairs})
    }
    book = selectors.WeightBook(urns=[urn for urn, _ in pairs])
    for urn, officer_id in sorted(pairs):
        try:
            school = _lock_school(urn)
            officer = officers.get(officer_id)
            if officer is None or officer.bcu_id != bcu_id or school.local_authority.bcu_id != bcu_id:
                raise DomainError(f"School {urn}: the officer and school must both be in this BCU.")
            with transaction.atomic():
                made.append(
                    _assign(
                        actor=actor,
                        school=school,
                        officer=officer,
                        weight=book.weight(school)[0],
                        start_date=today,
                        reason="Optimiser proposal",
                        override_reason="",
                        replace=allow_moves,
                    )
                )
        except DomainError as error:
            problems.append(f"School {urn}: {error.message}")
    if problems:
        transaction.set_rollback(True)
        raise Conflict("Nothing was applied. " + " ".join(problems))
    audit_record(actor=actor, verb="plan.applied", target=made[0].officer.bcu, data={"count": len(made)})
    return made


@transaction.atomic
def weight_override_set(*, actor, school_urn: int, weight: int, reason: str) -> SchoolWeightOverride:
    """An allocator sets one school's weight, with a reason; current assignments keep the weight they had."""
    school = _lock_school(school_urn)
    if not permissions.can_allocate_for_school(actor, school):
        raise PermissionDenied
    if weight is None or weight <= 0:
        raise DomainError("Enter a weight greater than 0.", field="weight")
    if not reason.strip():
        raise DomainError("Say why this school's weight differs from the rule.", field="reason")
    override, _created = SchoolWeightOverride.objects.update_or_create(
        school=school, defaults={"weight": weight, "reason": reason, "set_by": actor}
    )
    audit_record(actor=actor, verb="weight.overridden", target=school, to_state=str(weight), reason=reason)
    return override


@transaction.atomic
def weight_rule_set(
    *, actor, phase: str, pru_or_special: bool, min_pupils: int, weight: int, reason: str
) -> SchoolWeightRule:
    """Allocators edit the weight rule band by band, with a reason."""
    if not permissions.is_allocator(actor):
        raise PermissionDenied
    if weight is None or weight <= 0:
        raise DomainError("Enter a weight greater than 0.", field="weight")
    if not reason.strip():
        raise DomainError("Say why the rule changes.", field="reason")
    rule, _created = SchoolWeightRule.objects.update_or_create(
        phase=phase, pru_or_special=pru_or_special, min_pupils=min_pupils, defaults={"weight": weight}
    )
    audit_record(actor=actor, verb="weight_rule.set", target=rule, to_state=str(weight), reason=reason)
    return rule


@transaction.atomic
def officer_request_create(*, actor, school_urn: int, kind: str, reason: str) -> OfficerRequest:
    """A headteacher asks for a named officer or a different one, with a reason; one open request per school."""
    school = _lock_school(school_urn)
    if not permissions.can_request_officer(actor, school):
        raise PermissionDenied
    if kind not in OfficerRequest.Kind.values:
        raise DomainError("Choose what you are asking for.", field="kind")
    if not reason.strip():
        raise DomainError("Tell us why you are asking.", field="reason")
    if school.local_authority.bcu_id is None:
        raise DomainError("City of London schools are served by the City of London Police, not this service.")
    # What is asked follows from the school: a different officer when it has one, a named officer when it has none.
    has_officer = Assignment.objects.filter(school=school, end_date__isnull=True).exists()
    kind = OfficerRequest.Kind.CHANGE if has_officer else OfficerRequest.Kind.NEW
    if OfficerRequest.objects.filter(school=school, status=OfficerRequest.Status.OPEN).exists():
        raise Conflict("Your school already has an open request. The allocators will answer it.")
    request = OfficerRequest.objects.create(school=school, kind=kind, reason=reason, requested_by=actor)
    audit_record(actor=actor, verb="officer_request.created", target=request, to_state="open", reason=reason)
    recipients = selectors.allocator_emails_for_bcu(school.local_authority.bcu_id)
    if recipients:
        # The school's reason stays in the service (it may name people): the email says who asks and links to it.
        email_send(
            to=recipients,
            template="officers/request_received",
            context={
                "school_name": school.name,
                "urn": school.pk,
                "borough": school.local_authority.name,
                "bcu": school.local_authority.bcu.name,
                "kind": kind,
                "link": _link("officers:school_detail", urn=school.pk),
            },
        )
    return request


CSV_COLUMNS = (
    "shoulder_number", "name", "bcu", "base_name", "base_postcode", "base_latitude", "base_longitude", "capacity",
    "school_urns",
)  # fmt: skip
MAX_CSV_BYTES = 2_000_000
CAPACITY_COLUMN = Column.for_field(Officer, "capacity")
_CSV_READ = (
    Column.for_field(Officer, "shoulder_number"),
    Column.for_field(Officer, "name"),
    Column("bcu", max_length=120),
    Column.for_field(Officer, "base_name"),
    Column.for_field(Officer, "base_postcode"),
    Column("base_latitude", max_length=30),
    Column("base_longitude", max_length=30),
    # Checked with the row's other problems (CAPACITY_COLUMN.check), so one upload lists them all.
    Column("capacity", max_length=30),
    Column("school_urns", max_length=10_000),
)


def _urn(token: str) -> int | None:
    """A URN written with ASCII digits (never "²", never a number too big for the database), or None."""
    return int(token) if token.isascii() and token.isdigit() and len(token) <= 9 else None


def _csv_rows(data: bytes) -> list:
    return read_csv(data, columns=_CSV_READ, max_bytes=MAX_CSV_BYTES).rows


@transaction.atomic
def officers_import_csv(*, actor, data: bytes) -> tuple[int, int]:
    """Import current officers and their schools. Every row is checked first; any bad row rejects the whole file,
    listing every bad row. Officers are matched by shoulder number (updated) or created; returns (officers, schools)."""
    from schools.models import BasicCommandUnit

    if not permissions.is_allocator(actor):
        raise PermissionDenied
    rows = [(row.line, row.values) for row in _csv_rows(data)]
    allowed = selectors.allocator_bcu_ids(actor)
    bcus = {b.slug: b for b in BasicCommandUnit.objects.all()} | {
        b.name.lower(): b for b in BasicCommandUnit.objects.all()
    }
    all_urns = set()
    for _line, row in rows:
        all_urns.update(urn for u in row["school_urns"].replace(";", " ").split() if (urn := _urn(u)) is not None)
    schools = {s.pk: s for s in School.objects.filter(pk__in=all_urns).select_related("local_authority")}
    taken = dict(
        Assignment.objects.filter(school_id__in=all_urns, end_date__isnull=True).values_list(
            "school_id", "officer__shoulder_number"
        )
    )
    book = selectors.WeightBook(urns=all_urns)
    numbers = {row["shoulder_number"].upper() for _line, row in rows if row["shoulder_number"]}
    existing = {
        o.number: o
        for o in selectors.officers_with_load(
            Officer.objects.annotate(number=Upper("shoulder_number")).filter(number__in=numbers)
        )
    }
    problems: list[tuple[int, str]] = []
    seen_numbers: dict[str, int] = {}
    seen_urns: dict[int, int] = {}
    plan = []
    for line, row in rows:
        errors = []
        number = row["shoulder_number"].upper()
        if not number:
            errors.append("shoulder number is missing")
        elif number in seen_numbers:
            errors.append(f"shoulder number {number} is also on line {seen_numbers[number]}")
        seen_numbers.setdefault(number, line)
        if not row["name"]:
            errors.append("name is missing")
        bcu = bcus.get(row["bcu"].lower())
        if bcu is None:
            errors.append(f"BCU '{row['bcu']}' is not a Met BCU")
        elif bcu.pk not in allowed:
            errors.append(f"you do not allocate in {bcu.name}")
        current_officer = existing.get(number)
        if current_officer is not None:
            if current_officer.bcu_id not in allowed:
                errors.append(f"officer {number} serves {current_officer.bcu.name}, where you do not allocate")
            elif not current_officer.active:
                errors.append(f"officer {number} has ended; use a new shoulder number or ask to reinstate them")
            elif bcu is not None and bcu.pk != current_officer.bcu_id and current_officer.school_count:
                errors.append(
                    f"officer {number} would move from {current_officer.bcu.name} to {bcu.name} but still has "
                    f"{current_officer.school_count} schools there: change the officer on their page first"
                )
        try:
            if not (row["base_latitude"] + row["base_longitude"]).isascii():
                raise ValueError
            lat, lon = float(row["base_latitude"]), float(row["base_longitude"])
            if not (51.2 <= lat <= 51.8 and -0.6 <= lon <= 0.4):
                errors.append("the base is not in London (check latitude and longitude)")
        except ValueError:
            lat = lon = None
            errors.append("base latitude and longitude must be numbers")
        capacity, problem = CAPACITY_COLUMN.check(row["capacity"])
        if problem or not capacity:
            capacity = 0
            errors.append(problem or "capacity must be a whole number above 0")
        urns = []
        for token in row["school_urns"].replace(";", " ").split():
            urn = _urn(token)
            if urn is None or urn not in schools:
                errors.append(f"school URN {token[:20]} is not a known school")
                continue
            school = schools[urn]
            if school.status not in School.OPEN_STATUSES:
                errors.append(f"school {urn} is closed")
            elif bcu is not None and school.local_authority.bcu_id != bcu.pk:
                errors.append(f"school {urn} is not in {bcu.name}")
            if urn in seen_urns:
                errors.append(f"school {urn} is also on line {seen_urns[urn]}")
            elif urn in taken and taken[urn] != number:
                errors.append(f"school {urn} already has officer {taken[urn]}")
            seen_urns.setdefault(urn, line)
            urns.append(urn)
        load = sum(book.weight(schools[u])[0] for u in urns if u in schools)
        if capacity and load > capacity:
            errors.append(f"the schools' weight ({load}) is over the capacity ({capacity})")
        if errors:
            problems.append((line, "; ".join(errors)))
        else:
            plan.append((row, number, bcu, lat, lon, capacity, urns))
    if problems:
        raise CsvRejected.for_rows(problems, action="Nothing was imported")
    schools_assigned = 0
    today = timezone.localdate()
    for row, number, bcu, lat, lon, capacity, urns in plan:
        values = {
            "name": row["name"], "bcu": bcu, "base_name": row["base_name"], "base_postcode": row["base_postcode"],
            "base_latitude": lat, "base_longitude": lon, "capacity": capacity,
        }  # fmt: skip
        officer = Officer.objects.select_for_update().filter(shoulder_number__iexact=number).first()
        if officer is None:
            officer = officer_create(actor=actor, shoulder_number=number, **values)
        else:
            officer = officer_update(actor=actor, officer_id=officer.pk, **values)
        for urn in urns:
            if taken.get(urn) == number:
                continue
            school = _lock_school(urn)
            _assign(actor=actor, school=school, officer=officer, weight=book.weight(school)[0], start_date=today,
                    reason="Imported from CSV", override_reason="", replace=False)  # fmt: skip
            schools_assigned += 1
    return len(plan), schools_assigned


# --- optimiser runs in the background -------------------------------------------------------------------------

RUN_TIME_LIMIT_PER_BCU = 20.0


def _enqueue_run(run_id: int) -> None:
    from .tasks import optimiser_run_execute as task

    task.enqueue(run_id=run_id)


@transaction.atomic
def optimiser_run_start(*, actor, bcu_ids=None, allow_moves: bool = False) -> OptimiserRun:
    """Queue an optimiser run for several of the allocator's BCUs (all of them by default), solved one BCU at a time
    by the worker after this commits. Nothing is assigned until the allocator applies the proposal."""
    if not permissions.is_allocator(actor):
        raise PermissionDenied
    allowed = selectors.allocator_bcu_ids(actor)
    chosen = sorted(allowed if bcu_ids is None else set(bcu_ids))
    if not chosen:
        raise DomainError("Choose at least one of your BCUs.", field="bcu_ids")
    if not set(chosen) <= allowed:
        raise DomainError("You can only run the optimiser for your own BCUs.", field="bcu_ids")
    run = OptimiserRun.objects.create(
        created_by=actor,
        params={"bcu_ids": chosen, "allow_moves": bool(allow_moves), "time_limit": RUN_TIME_LIMIT_PER_BCU},
    )
    audit_record(actor=actor, verb="optimiser_run.queued", target=run, to_state=run.status, data=run.params)
    transaction.on_commit(partial(_enqueue_run, run.pk))
    return run


def optimiser_run_execute(*, run_id: int) -> str:
    """The worker's part: each BCU in turn through the same selector as the page (read-only), then the proposal is
    stored. A failure marks the run failed with a short message, never a half-stored proposal."""
    with transaction.atomic():
        run = OptimiserRun.objects.select_for_update().select_related("created_by").filter(pk=run_id).first()
        if run is None or run.status != OptimiserRun.Status.QUEUED:
            return run.status if run else "missing"
        run.status, run.started_at = OptimiserRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    params = run.params
    try:
        areas = []
        for bcu_id in params["bcu_ids"]:
            plan = selectors.area_plan(
                user=run.created_by,
                bcu_id=bcu_id,
                allow_moves=params.get("allow_moves", False),
                time_limit=params.get("time_limit", RUN_TIME_LIMIT_PER_BCU),
            )
            if plan is not None:  # the allocator may have lost the BCU since queueing
                areas.append(plan.as_dict())
    except Exception as error:  # noqa: BLE001 - the run must end in a state the page can show
        logger.exception("optimiser run failed", extra={"run": run.pk})
        status, result, message = OptimiserRun.Status.FAILED, {}, f"The optimiser failed ({type(error).__name__})."
    else:
        status, result, message = OptimiserRun.Status.DONE, {"areas": areas}, ""
    with transaction.atomic():
        OptimiserRun.objects.filter(pk=run.pk).update(
            status=status, result=result, error=message, finished_at=timezone.now()
        )
        audit_record(
            actor=run.created_by,
            verb="optimiser_run.finished",
            target=run,
            from_state=OptimiserRun.Status.RUNNING,
            to_state=status,
            data={"bcus": len(params["bcu_ids"]), "proposed": sum(len(a["rows"]) for a in result.get("areas", []))},
        )
    return status


@transaction.atomic
def optimiser_run_apply(*, actor, run_id: int, pairs: list[tuple[int, int, int]]) -> list[Assignment]:
    """Apply some or all of a run's proposals, across its BCUs, in one action: every chosen pair must be one the run
    proposed and pass the hard rules now, or nothing is written."""
    run = OptimiserRun.objects.select_for_update().filter(pk=run_id, created_by=actor).first()
    if run is None:
        raise PermissionDenied
    if run.status != OptimiserRun.Status.DONE:
        raise Conflict("This optimiser run has no proposal to apply yet.")
    if not pairs:
        raise DomainError("Choose at least one proposed assignment to apply.", field="pairs")
    proposed = {
        (area["bcu"]["id"], row["urn"], row["officer_id"])
        for area in run.result.get("areas", [])
        for row in area["rows"]
    }
    unknown = [p for p in pairs if tuple(p) not in proposed]
    if unknown:
        raise DomainError(
            f"{len(unknown)} chosen assignment{'s are' if len(unknown) != 1 else ' is'} not in this proposal.",
            field="pairs",
        )
    allow_moves = bool(run.params.get("allow_moves"))
    by_bcu: dict[int, list[tuple[int, int]]] = {}
    for bcu_id, urn, officer_id in pairs:
        by_bcu.setdefault(bcu_id, []).append((urn, officer_id))
    made, problems = [], []
    for bcu_id, bcu_pairs in sorted(by_bcu.items()):
        try:
            made += plan_apply(actor=actor, bcu_id=bcu_id, pairs=bcu_pairs, allow_moves=allow_moves)
        except DomainError as error:
            problems.append(error.message.removeprefix("Nothing was applied. "))
    if problems:
        transaction.set_rollback(True)
        raise Conflict("Nothing was applied. " + " ".join(problems))
    run.applied_at = timezone.now()
    run.save(update_fields=["applied_at"])
    audit_record(actor=actor, verb="optimiser_run.applied", target=run, data={"count": len(made)})
    return made
