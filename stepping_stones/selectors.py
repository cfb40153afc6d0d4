"""Reads of Stepping Stones, already scoped to what the asking user may see.

Every function taking `user` takes a user, never the request: "view as" is refused at the edge before a selector is
asked (stepping_stones.permissions). Out-of-scope or unknown records come back as None / empty, which views turn into
404.

Pupil records: `referrals_visible_to`, `referral_get_for`, `referral_find`, `referral_access_log`,
`pending_destinations_for`, `waiting_list_for`, `referrals_to_answer_for`, `referral_consent_current`.
Programme: `cohorts_visible_to`, `cohort_current`, `cohort_get_for`, `participating_schools_for`,
`participating_school_get_for`, `needs_active`, `needs_all`, `referring_schools_for`, `referring_school_get_for`,
`receiving_schools_for`.
Counts only (never personal data): `dashboard_figures`, `places_by_cohort`, `counts_by_school`, `school_cohort_figures`,
`places_filled_by_school` (with `pupils_with_a_place_for`, the pupils behind it).
What the pages read: `schools_to_refer_from`, `schools_without_year_6_led_by`, `can_refer`, `cohorts_open_for_referral`,
`referrals_of_my_schools`, `lead_secondary_rows`, `school_get`, `schools_by_urn`, `referral_history_events`.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from core.figures import SMALL_COUNT_THRESHOLD
from core.models import AuditEvent
from core.selectors import audit_timeline
from schools.models import School

from . import permissions
from .models import Cohort, Consent, Need, ParticipatingSchool, PossibleDuplicate, Referral, current_transition_year
from .upn import upn_normalise

PUPIL_VERB_PREFIX = "stepping_stones."


# --- pupil records ---------------------------------------------------------------------------------------------


def _referral_queryset() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "cohort",
        "referring_school",
        "receiving_school",
        "progress",
        "created_by",
        "submitted_by",
        "decided_by",
    ).prefetch_related(
        Prefetch("needs", queryset=Need.objects.order_by("order", "name")),
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by").order_by("-recorded_at", "-id")),
    )


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals the user may see: coordinators every one; a lead those from their school(s), and those submitted to
    them; others none.

    Erased records are left out for everyone but coordinators.
    """
    reader = permissions.pupil_reader(user)
    if reader is None:
        return Referral.objects.none()
    if permissions.is_coordinator(reader):
        return _referral_queryset()
    school_ids = permissions.lead_school_ids(reader)
    if not school_ids:
        return Referral.objects.none()
    # The receiving secondary sees a referral only once it is submitted (consent recorded): never a primary's draft.
    return _referral_queryset().filter(
        Q(referring_school_id__in=school_ids)
        | (Q(receiving_school_id__in=school_ids) & ~Q(status=Referral.Status.DRAFT)),
        erased_at__isnull=True,
    )


def referral_get_for(user, reference: str) -> Referral | None:
    """One referral by its reference ("SS26-4K7Q2", any case) if the user may see it, else None (→ 404)."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 10:
        return None
    return referrals_visible_to(user).filter(reference=reference).first()


def referral_find(
    user, *, upn: str | None = None, name: str | None = None, dob: date | None = None
) -> QuerySet[Referral]:
    """Search the user's visible referrals (the pages POST the search; never GET parameters).

    `upn` matches exactly (spaces ignored); `name` matches first or last name or "first last" (case-insensitive,
    contains); `dob` exactly. With no criteria, nothing.
    """
    queryset = referrals_visible_to(user).filter(minimised_at__isnull=True, erased_at__isnull=True)
    criteria = False
    if upn and upn.strip():
        queryset = queryset.filter(upn=upn_normalise(upn))
        criteria = True
    if name and name.strip():
        for word in name.split()[:4]:
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        criteria = True
    if dob:
        queryset = queryset.filter(date_of_birth=dob)
        criteria = True
    return queryset if criteria else Referral.objects.none()


def referral_consent_current(referral: Referral) -> Consent | None:
    """The consent in force (uses the prefetch from the visible queryset)."""
    for consent in referral.consents.all():
        if consent.withdrawn_at is None:
            return consent
    return None


REFERRALS_LISTED_VERB = "stepping_stones.referrals.listed"  # what services.referrals_listed writes (LIST_VERB)


def referral_access_log(user, referral: Referral) -> QuerySet[AuditEvent]:
    """Who viewed, changed or exported this pupil's record, when and what: coordinators only (else none)."""
    if referral is None or not permissions.can_view_access_log(user, referral):
        return AuditEvent.objects.none()
    on_the_record = Q(target_type=ContentType.objects.get_for_model(Referral), target_id=str(referral.pk))
    # A list page leaves one record naming every reference it showed (services.referrals_listed): the reference,
    # quoted as in the stored JSON list, finds the pages this record appeared on.
    in_a_list = Q(verb=REFERRALS_LISTED_VERB, data__references__icontains=f'"{referral.reference}"')
    return AuditEvent.objects.filter(on_the_record | in_a_list).select_related("actor").order_by("-created_at", "-id")


def pending_destinations_for(user) -> QuerySet[Referral]:
    """The VRU queue: submitted referrals whose secondary is not yet known (oldest first). Coordinators only."""
    if not permissions.can_view_pending_destinations(user):
        return Referral.objects.none()
    return (
        referrals_visible_to(user)
        .filter(status=Referral.Status.PENDING_DESTINATION)
        .order_by("priority", "submitted_at", "id")
    )


def possible_duplicates_for(user, *, decision: str | None = PossibleDuplicate.Decision.OPEN):
    """Pairs of referrals with the same UPN from different schools (oldest first): coordinators only, else none.

    `decision=None` lists every pair, decided or not."""
    if not permissions.can_decide_duplicates(permissions.pupil_reader(user)):
        return PossibleDuplicate.objects.none()
    queryset = PossibleDuplicate.objects.select_related(
        "cohort",
        "first__cohort",
        "second__cohort",
        "first__referring_school",
        "first__receiving_school",
        "second__referring_school",
        "second__receiving_school",
        "kept",
        "decided_by",
    ).order_by("created_at", "id")
    if decision:
        queryset = queryset.filter(decision=decision)
    return queryset


def possible_duplicate_get_for(user, pk) -> PossibleDuplicate | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:
        return None
    return possible_duplicates_for(user, decision=None).filter(pk=pk).first()


def waiting_list_for(user, *, cohort: Cohort, school) -> QuerySet[Referral]:
    """A secondary's waiting list in this cohort, in offer order: priority, then when they joined the list."""
    if not permissions.can_view_school_cohort(permissions.pupil_reader(user), school):
        return Referral.objects.none()
    return (
        referrals_visible_to(user)
        .filter(cohort=cohort, receiving_school_id=getattr(school, "pk", school), status=Referral.Status.WAITLISTED)
        .order_by("priority", "waitlisted_at", "id")
    )


def waiting_list_position(referral: Referral) -> int | None:
    """1 for the top of the waiting list; None when the referral is not waiting."""
    if referral.status != Referral.Status.WAITLISTED or referral.waitlisted_at is None:
        return None
    ahead = Referral.objects.filter(
        cohort_id=referral.cohort_id,
        receiving_school_id=referral.receiving_school_id,
        status=Referral.Status.WAITLISTED,
    ).filter(
        Q(priority__lt=referral.priority)
        | Q(priority=referral.priority, waitlisted_at__lt=referral.waitlisted_at)
        | Q(priority=referral.priority, waitlisted_at=referral.waitlisted_at, id__lt=referral.id)
    )
    return ahead.count() + 1


def referrals_to_answer_for(user) -> QuerySet[Referral]:
    """Referrals waiting for the user's secondary school to accept, waitlist or decline, or to confirm an offer."""
    reader = permissions.pupil_reader(user)
    school_ids = permissions.lead_school_ids(reader)
    if not school_ids:
        return Referral.objects.none()
    return (
        referrals_visible_to(reader)
        .filter(receiving_school_id__in=school_ids, status__in=Referral.AWAITING_SECONDARY)
        .order_by("priority", "submitted_at", "id")
    )


def drafts_for(user) -> QuerySet[Referral]:
    """Draft referrals of the user's primary school(s)."""
    reader = permissions.pupil_reader(user)
    school_ids = permissions.lead_school_ids(reader)
    if not school_ids:
        return Referral.objects.none()
    return referrals_visible_to(reader).filter(referring_school_id__in=school_ids, status=Referral.Status.DRAFT)


# --- programme -------------------------------------------------------------------------------------------------


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Every cohort for coordinators and leads (cohorts carry no personal data); none for anyone else."""
    if not permissions.can_use_stepping_stones(user):
        return Cohort.objects.none()
    return Cohort.objects.order_by("-transition_year")


def cohort_current(today: date | None = None) -> Cohort | None:
    """The cohort of the transition under way today (September to December: next year's; January to August: this
    year's); when that has no cohort yet, the latest earlier one still open, else the latest before it, else any."""
    year = current_transition_year(today)
    return (
        Cohort.objects.filter(transition_year=year).first()
        or Cohort.objects.filter(status=Cohort.Status.OPEN, transition_year__lt=year)
        .order_by("-transition_year")
        .first()
        or Cohort.objects.filter(transition_year__lt=year).order_by("-transition_year").first()
        or Cohort.objects.order_by("transition_year").first()
    )


def cohort_get_for(user, transition_year: int) -> Cohort | None:
    try:
        year = int(transition_year)
    except (TypeError, ValueError):
        return None
    if not 2000 <= year <= 2100:
        return None
    return cohorts_visible_to(user).filter(transition_year=year).first()


def participating_schools_for(user, *, cohort: Cohort | None = None) -> QuerySet[ParticipatingSchool]:
    """Participating secondaries (places, feeders): every one for coordinators and leads (needed to refer)."""
    if not permissions.can_use_stepping_stones(user):
        return ParticipatingSchool.objects.none()
    queryset = ParticipatingSchool.objects.select_related("cohort", "school__local_authority").prefetch_related(
        Prefetch("feeder_primaries", queryset=School.objects.order_by("name"))
    )
    if cohort is not None:
        queryset = queryset.filter(cohort=cohort)
    return queryset.order_by("-cohort__transition_year", "school__name")


def participating_school_get_for(user, *, cohort: Cohort, school_id) -> ParticipatingSchool | None:
    try:
        school_id = int(school_id)
    except (TypeError, ValueError):
        return None
    if not 100000 <= school_id <= 999999:
        return None
    return participating_schools_for(user, cohort=cohort).filter(school_id=school_id).first()


def needs_active() -> QuerySet[Need]:
    return Need.objects.filter(is_active=True).order_by("order", "name")


def needs_all() -> QuerySet[Need]:
    return Need.objects.order_by("order", "name")


def _schools_acted_for(user) -> QuerySet[School]:
    """The schools whose referrals the user makes: their own as a lead; every feeder-phase school for coordinators.
    Whether a school can refer at all (a primary that teaches Year 6) is not looked at here."""
    reader = permissions.pupil_reader(user)
    if reader is None:
        return School.objects.none()
    if permissions.is_coordinator(reader):
        return School.objects.filter(phase__in=School.FEEDER_PHASES).order_by("name")
    return School.objects.filter(pk__in=permissions.lead_school_ids(reader)).order_by("name")


def referring_schools_for(user) -> QuerySet[School]:
    """Primaries the user may refer from: their own as a lead; every feeder primary for coordinators. Only schools
    that teach Year 6 (`School.LEAVES_OUT_YEAR_6` excluded: an infant school has no Year 6 pupils to refer)."""
    return _schools_acted_for(user).exclude(School.LEAVES_OUT_YEAR_6)


def referring_school_get_for(user, urn) -> School | None:
    """The school with this URN, if the user makes referrals for it: also one that cannot refer (an infant school),
    so that the referral services refuse it with the reason rather than as an unknown school (the API's create)."""
    return _schools_acted_for(user).filter(pk=urn).first()


def receiving_schools_for(cohort: Cohort) -> QuerySet[School]:
    """Secondaries taking part in the cohort (the choices for "receiving school")."""
    return School.objects.filter(pk__in=ParticipatingSchool.objects.filter(cohort=cohort).values("school_id")).order_by(
        "name"
    )


# --- counts only -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolPlaces:
    school_id: int
    school_name: str
    places: int
    places_filled: int
    waiting: int

    @property
    def places_left(self) -> int:
        return max(self.places - self.places_filled, 0)


@dataclass(frozen=True)
class AttendanceSummary:
    pupils: int
    engagement_day: int
    summer_school: int
    peer_mentors: int
    sessions_total: int


@dataclass
class DashboardFigures:
    cohort: Cohort | None
    places: list[SchoolPlaces] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    by_primary: list[tuple[int, str, int]] = field(default_factory=list)  # (urn, name, referrals)
    pending_destination: int = 0
    attendance: AttendanceSummary | None = None


def _holding_place(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """The referrals that hold one of their receiving school's places, a place offered from the waiting list included:
    the pupils behind every "places filled" figure (`places_filled_by_school`), which the services keep equal to
    their number (the places counter moves with each status change into or out of HOLDS_PLACE)."""
    return queryset.filter(status__in=Referral.HOLDS_PLACE)


def places_filled_by_school(cohort: Cohort | None, school_ids=None) -> dict[int, int]:
    """{participating school id: places filled} (every cohort when `cohort` is None): THE figure for "places filled"
    and "pupils holding a place" on every page, API and profile. It is the guarded counter
    (`ParticipatingSchool.places_taken`), which counts exactly the referrals `_holding_place` lists."""
    rows = ParticipatingSchool.objects.all()
    if cohort is not None:
        rows = rows.filter(cohort=cohort)
    if school_ids is not None:
        rows = rows.filter(school_id__in=list(school_ids))
    return dict(rows.order_by().values_list("school_id").annotate(n=Sum("places_taken")))


def pupils_with_a_place_for(user, *, cohort: Cohort, school) -> QuerySet[Referral]:
    """The pupils holding a place at a secondary in this cohort (the list behind its "places filled"), in the order
    they were placed: its lead or a coordinator, else none."""
    if not permissions.can_view_school_cohort(permissions.pupil_reader(user), school):
        return Referral.objects.none()
    return _holding_place(
        referrals_visible_to(user).filter(cohort=cohort, receiving_school_id=getattr(school, "pk", school))
    ).order_by("decided_at", "id")


def _places_for(cohort: Cohort) -> list[SchoolPlaces]:
    filled = places_filled_by_school(cohort)
    waiting = dict(
        Referral.objects.filter(cohort=cohort, status=Referral.Status.WAITLISTED)
        .order_by()
        .values_list("receiving_school_id")
        .annotate(n=Count("id"))
    )
    return [
        SchoolPlaces(
            school_id=row.school_id,
            school_name=row.school.name,
            places=row.places,
            places_filled=filled.get(row.school_id, 0),
            waiting=waiting.get(row.school_id, 0),
        )
        for row in ParticipatingSchool.objects.filter(cohort=cohort).select_related("school").order_by("school__name")
    ]


def _attendance_for(referrals: QuerySet[Referral]) -> AttendanceSummary:
    in_programme = referrals.filter(status__in=Referral.HOLDS_PLACE)
    totals = in_programme.aggregate(
        pupils=Count("id"),
        engagement_day=Count("id", filter=Q(progress__engagement_day_attended=True)),
        summer_school=Count("id", filter=Q(progress__summer_school_attended=True)),
        peer_mentors=Count("id", filter=Q(progress__peer_mentor_assigned=True)),
        sessions_total=Coalesce(Sum("progress__sessions_attended"), 0),
    )
    return AttendanceSummary(**totals)


def _by_primary(referrals: QuerySet[Referral]) -> list[tuple[int, str, int]]:
    """(urn, name, referrals) per referring primary: those with a count that is shown (5 or more) first, most first;
    then the small counts by name, so that their order does not rank what "fewer than 5" hides."""
    rows = list(
        referrals.order_by()
        .values_list("referring_school_id", "referring_school__name")
        .annotate(n=Count("id"))
        .order_by("-n", "referring_school__name")
    )
    shown = [row for row in rows if row[2] >= SMALL_COUNT_THRESHOLD]
    return shown + sorted((row for row in rows if row[2] < SMALL_COUNT_THRESHOLD), key=lambda row: (row[1], row[0]))


def referrals_by_primary(user, *, cohort: Cohort) -> list[tuple[int, str, int]] | None:
    """Every referring primary of a transition with its number of referrals (drafts left out), in the dashboard's
    order: the file behind the dashboard's chart of the primaries that referred most. None for anyone but a
    coordinator."""
    if not permissions.can_view_dashboard(user):
        return None
    return _by_primary(Referral.objects.filter(cohort=cohort).exclude(status=Referral.Status.DRAFT))


def dashboard_figures(user, *, cohort: Cohort | None = None) -> DashboardFigures | None:
    """The coordinator dashboard: places filled vs available per school, waiting lists, referrals by primary,
    statuses, attendance. Counts only. None for anyone but a coordinator."""
    if not permissions.can_view_dashboard(user):
        return None
    cohort = cohort or cohort_current()
    if cohort is None:
        return DashboardFigures(cohort=None)
    referrals = Referral.objects.filter(cohort=cohort).exclude(status=Referral.Status.DRAFT)
    by_status = dict(referrals.order_by().values_list("status").annotate(n=Count("id")))
    return DashboardFigures(
        cohort=cohort,
        places=_places_for(cohort),
        by_status=by_status,
        by_primary=_by_primary(referrals),
        pending_destination=by_status.get(Referral.Status.PENDING_DESTINATION, 0),
        attendance=_attendance_for(referrals),
    )


def school_cohort_figures(user, *, cohort: Cohort, school) -> SchoolPlaces | None:
    """A secondary's own places and waiting list count (its lead or a coordinator)."""
    if not permissions.can_view_school_cohort(permissions.pupil_reader(user), school):
        return None
    school_id = getattr(school, "pk", school)
    for row in _places_for(cohort):
        if row.school_id == school_id:
            return row
    return None


@dataclass(frozen=True)
class CohortPlaces:
    transition_year: int
    schools: int
    places_available: int
    places_filled: int


def places_by_cohort() -> list[CohortPlaces]:
    """Per cohort: participating schools, places available and filled. Counts only (public/insights may use it)."""
    rows = (
        ParticipatingSchool.objects.order_by()
        .values("cohort__transition_year")
        .annotate(schools=Count("id"), available=Coalesce(Sum("places"), 0), filled=Coalesce(Sum("places_taken"), 0))
        .order_by("-cohort__transition_year")
    )
    return [
        CohortPlaces(
            transition_year=row["cohort__transition_year"],
            schools=row["schools"],
            places_available=row["available"],
            places_filled=row["filled"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class SchoolCounts:
    referred: int = 0  # pupils referred from (primary) or to (secondary) this school, submitted or later
    in_programme: int = 0  # pupils holding a place at this school (offered, accepted, enrolled, active, completed)


def counts_by_school(school_ids, *, cohort: Cohort | None = None) -> dict[int, SchoolCounts]:
    """Per school id: pupils referred (from or to it) and pupils holding a place there (`places_filled_by_school`).
    Counts only; shown through core.suppression to anyone who may not see the pupils."""
    ids = [int(i) for i in school_ids]
    if not ids:
        return {}
    base = Referral.objects.exclude(status=Referral.Status.DRAFT)
    if cohort is not None:
        base = base.filter(cohort=cohort)
    referred_from = dict(
        base.filter(referring_school_id__in=ids).order_by().values_list("referring_school_id").annotate(n=Count("id"))
    )
    referred_to = dict(
        base.filter(receiving_school_id__in=ids).order_by().values_list("receiving_school_id").annotate(n=Count("id"))
    )
    in_programme = places_filled_by_school(cohort, ids)
    result = {}
    for school_id in ids:
        referred = referred_from.get(school_id, 0) + referred_to.get(school_id, 0)
        placed = in_programme.get(school_id, 0)
        if referred or placed:
            result[school_id] = SchoolCounts(referred=referred, in_programme=placed)
    return result


def places_left_for(referral: Referral) -> int | None:
    """Places still free at the referral's receiving school in its cohort (None: no receiving school taking part)."""
    if referral.receiving_school_id is None:
        return None
    row = (
        ParticipatingSchool.objects.filter(cohort_id=referral.cohort_id, school_id=referral.receiving_school_id)
        .only("places", "places_taken")
        .first()
    )
    return None if row is None else row.places_left


# --- what the pages read (moved from pages.py) -------------------------------------------------------------------


def schools_to_refer_from(user) -> QuerySet[School]:
    """Schools this person may refer from: a lead's own primary schools; for a coordinator (who may refer on a primary's
    behalf) the feeder primaries of the transitions open for referrals, not every primary in the register. Only
    schools that teach Year 6 (see `referring_schools_for`)."""
    # A secondary's lead receives referrals; only primaries (and all-through schools) refer.
    schools = referring_schools_for(user).filter(phase__in=School.FEEDER_PHASES)
    if permissions.is_coordinator(user):
        feeders = ParticipatingSchool.feeder_primaries.through.objects.filter(
            participatingschool__cohort__status=Cohort.Status.OPEN
        ).values("school_id")
        schools = schools.filter(pk__in=feeders)
    return schools


def schools_without_year_6_led_by(user) -> list[School]:
    """The primary-phase schools this person leads whose age range leaves out Year 6 (an infant school), which cannot
    refer: for the pages to say so instead of offering a referral that would be refused."""
    school_ids = permissions.lead_school_ids(user)
    if not school_ids:
        return []
    return list(
        School.objects.filter(pk__in=school_ids, phase__in=School.FEEDER_PHASES)
        .filter(School.LEAVES_OUT_YEAR_6)
        .only("urn", "name", "statutory_low_age", "statutory_high_age")
        .order_by("name")
    )


def can_refer(user) -> bool:
    """A primary's Stepping Stones lead (or headteacher) or a coordinator: someone with a school to refer from."""
    return schools_to_refer_from(user).exists()


def cohorts_open_for_referral(user) -> QuerySet[Cohort]:
    return cohorts_visible_to(user).filter(status=Cohort.Status.OPEN)


def referrals_of_my_schools(user) -> QuerySet[Referral]:
    """A lead's referrals from or to their schools; a coordinator's, every referral. Newest first."""
    return referrals_visible_to(user).order_by("-created_at", "-id")


def lead_secondary_rows(user, *, cohort) -> list[dict]:
    """The participating secondaries this person leads in the cohort: places, waiting list, referrals to answer."""
    school_ids = permissions.lead_school_ids(user)
    if cohort is None or not school_ids:
        return []
    participating = (
        ParticipatingSchool.objects.filter(cohort=cohort, school_id__in=school_ids)
        .select_related("school")
        .order_by("school__name")
    )
    counts = (
        Referral.objects.filter(cohort=cohort, receiving_school_id__in=school_ids)
        .order_by()
        .values("receiving_school_id")
        .annotate(
            waiting=Count("id", filter=Q(status=Referral.Status.WAITLISTED)),
            to_answer=Count("id", filter=Q(status__in=Referral.AWAITING_SECONDARY)),
        )
    )
    by_school = {row["receiving_school_id"]: row for row in counts}
    filled = places_filled_by_school(cohort, school_ids)
    return [
        {
            "school_id": row.school_id,
            "school_name": row.school.name,
            "places": row.places,
            "places_filled": filled.get(row.school_id, 0),
            "waiting": by_school.get(row.school_id, {}).get("waiting", 0),
            "to_answer": by_school.get(row.school_id, {}).get("to_answer", 0),
        }
        for row in participating
    ]


def school_get(urn: int) -> School | None:
    return School.objects.filter(pk=urn).first()


def schools_by_urn(urn: int, feeder_urns: list[int]):
    """The school and feeder primaries named by URN, and the URNs that are not in the register."""
    found = {school.pk: school for school in School.objects.filter(pk__in=[urn, *feeder_urns])}
    missing = [value for value in [urn, *feeder_urns] if value not in found]
    return found.get(urn), [found[value] for value in feeder_urns if value in found], missing


HIDDEN_FROM_HISTORY = {"referral.viewed", "referral.subject_access_export"}


def referral_history_events(referral: Referral) -> list[AuditEvent]:
    """The audit entries of a record's changes, oldest first (views and exports are in the access log, for
    coordinators). Call only with a referral from `referral_get_for`."""
    return [
        event
        for event in audit_timeline(target=referral)
        if event.verb.removeprefix(PUPIL_VERB_PREFIX) not in HIDDEN_FROM_HISTORY
    ]
