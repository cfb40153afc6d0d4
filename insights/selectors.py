"""Reads for the cross-programme dashboard, the London map and the school safety profile, scoped to the asking user.

The dashboard is a fixed number of aggregate queries (one per programme, grouped by borough with values/annotate),
whatever the number of schools or boroughs. Counts of pupils reach people who may not see the pupils only through
`core.suppression` (1 to 4 as "fewer than 5", every other count and every total rounded to the nearest 5).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import roles
from accounts.models import SchoolMembership
from accounts.selectors import schools_acting_for, user_role_names
from core import suppression
from core.figures import Activity, collect_school_activity
from education_toolkit import figures as toolkit_figures
from education_toolkit.models import Download
from officers import figures as officer_figures
from officers import selectors as officer_selectors
from officers.models import Assignment
from schools.models import BasicCommandUnit, LocalAuthority, School
from schools.selectors import school_links, schools_search
from wands import figures as wand_figures
from wands import selectors as wand_selectors
from wands.models import WandRequest

from . import permissions, summaries
from . import stepping_stones as ss

CITY_POLICE_NOTE = "City of London Police: not covered by the Met's Safer Schools Officers"
DOWNLOAD_WINDOW_DAYS = 365

PHASE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "primary": ("Primary", (School.Phase.PRIMARY, School.Phase.MIDDLE_PRIMARY)),
    "secondary": ("Secondary", (School.Phase.SECONDARY, School.Phase.MIDDLE_SECONDARY)),
    "all_through": ("All-through", (School.Phase.ALL_THROUGH,)),
    "other": (
        "Nursery, 16 plus and not applicable (most special schools and pupil referral units)",
        (School.Phase.NURSERY, School.Phase.SIXTEEN_PLUS, School.Phase.NOT_APPLICABLE),
    ),
}


# --- scope --------------------------------------------------------------------------------------------------------


def dashboard_bcus(user) -> list[BasicCommandUnit]:
    """The BCUs the person may filter by: all of them for VRU roles, the allocator's own otherwise."""
    if permissions.is_vru(user):
        return list(BasicCommandUnit.objects.order_by("name"))
    return list(officer_selectors.allocator_bcus(user))


def dashboard_la_codes(user, *, bcu: BasicCommandUnit | None = None) -> frozenset[int]:
    """The boroughs the dashboard shows this person: all 33 for VRU roles (the City of London included), the
    boroughs of the allocator's BCUs otherwise; narrowed to one BCU when filtered."""
    if not permissions.can_view_dashboard(user):
        return frozenset()
    authorities = LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE)
    if not permissions.is_vru(user):
        authorities = authorities.filter(bcu_id__in=officer_selectors.allocator_bcu_ids(user))
    if bcu is not None:
        authorities = authorities.filter(bcu=bcu)
    return frozenset(authorities.values_list("code", flat=True))


def suppress_pupil_counts(user, *, viewing_as: bool = False) -> bool:
    """Stepping Stones coordinators see every pupil record, so they see the counts as they are; everyone else sees
    counts of pupils through core.suppression ("fewer than 5", others to the nearest 5). "Viewing as" (resolved by the
    view) is never a pupil reader."""
    return viewing_as or not ss.ss_permissions.is_coordinator(user)


# --- per borough --------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class BoroughFigures:
    la_code: int
    name: str
    bcu_name: str
    in_scope: bool
    open_schools: int = 0
    schools_taken_up: int = 0
    wands_delivered: int = 0
    schools_with_officer: int = 0
    police_area: bool = True  # False for the City of London (its own police force)
    policed_open_schools: int | None = None  # for totals: open schools in Met boroughs only
    stepping_stones_enrolled: int = 0
    stepping_stones_places: int = 0
    toolkit_downloads: int = 0
    suppress_pupils: bool = True
    gss_code: str = ""  # ONS
    bcu_slug: str | None = None  # None for the City of London (and the totals row)

    @property
    def take_up_percent(self) -> float | None:
        return _percent(self.schools_taken_up, self.open_schools)

    @property
    def officer_cover_percent(self) -> float | None:
        if not self.police_area:
            return None
        whole = self.open_schools if self.policed_open_schools is None else self.policed_open_schools
        return _percent(self.schools_with_officer, whole)

    @property
    def stepping_stones_enrolled_shown(self) -> int | None:
        """Pupils with a place as published to this viewer: None for 1 to 4, rounded to 5 unless a pupil reader.
        A total is rounded from its exact sum, like any other count of pupils."""
        return suppression.pupil_count(self.stepping_stones_enrolled, exact=not self.suppress_pupils)

    @property
    def stepping_stones_enrolled_display(self) -> str:
        return suppression.pupil_count_label(self.stepping_stones_enrolled, exact=not self.suppress_pupils)

    @property
    def stepping_stones_places_display(self) -> str:
        # Places are capacity, not pupils: never suppressed.
        return str(self.stepping_stones_places)

    @property
    def stepping_stones_enrolled_suppressed(self) -> bool:
        return suppression.is_withheld(self.stepping_stones_enrolled, exact=not self.suppress_pupils)


@dataclass
class Dashboard:
    boroughs: list[BoroughFigures]  # all 33, in_scope marks the ones this person sees
    totals: BoroughFigures
    bcu: BasicCommandUnit | None
    phase: str
    suppress_pupils: bool
    cohort_name: str = ""
    as_of: object = field(default_factory=lambda: timezone.now())  # looked up when made (tests can set the clock)

    @property
    def rows(self) -> list[BoroughFigures]:
        return [row for row in self.boroughs if row.in_scope]


def dashboard(*, user, bcu: BasicCommandUnit | None = None, phase: str = "", viewing_as: bool = False) -> Dashboard:
    """Per borough, the four programmes side by side: open schools, wand take-up ("taken up" = a request approved and
    not cancelled) and wands delivered, % of open schools with a named police contact (current assignments),
    Stepping Stones pupils with a place and places, toolkit downloads in the last 12 months.

    A fixed number of aggregate queries, however many schools there are. `viewing_as`: a programme admin viewing as
    `user` (the view resolves it), who sees counts of pupils as anyone would."""
    codes = dashboard_la_codes(user, bcu=bcu)
    suppress = suppress_pupil_counts(user, viewing_as=viewing_as)
    authorities = (
        LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE)
        .select_related("bcu")
        .order_by("name")
        .only("code", "name", "gss_code", "bcu__name", "bcu__slug")
    )
    rows = {
        la.code: BoroughFigures(
            la_code=la.code,
            name=la.name,
            bcu_name=la.bcu.name if la.bcu_id else "",
            gss_code=la.gss_code,
            bcu_slug=la.bcu.slug if la.bcu_id else None,
            in_scope=la.code in codes,
            police_area=la.bcu_id is not None,
            suppress_pupils=suppress,
        )
        for la in authorities
    }
    # Open schools counted from the register; take-up, police cover and wands delivered from the programmes' own
    # per-school figures, toolkit downloads per borough and day (core.figures, kept in insights.summaries).
    phases = PHASE_GROUPS[phase][1] if phase else None
    schools = School.objects.filter(local_authority_id__in=codes, status__in=School.OPEN_STATUSES)
    if phases:
        schools = schools.filter(phase__in=phases)
    for row in schools.order_by().values("local_authority_id").annotate(n=Count("pk")):
        rows[row["local_authority_id"]].open_schools = row["n"]
    by_borough = summaries.borough_counts(
        la_codes=codes,
        phases=phases,
        figures=(wand_figures.TAKEN_UP, wand_figures.DELIVERED, officer_figures.COVERED),
        open_only=(wand_figures.TAKEN_UP, officer_figures.COVERED),  # wands delivered: to any school, open or not
    )
    for code, counts in by_borough.items():
        entry = rows[code]
        entry.schools_taken_up = counts[wand_figures.TAKEN_UP]
        entry.schools_with_officer = counts[officer_figures.COVERED]
        entry.wands_delivered = counts[wand_figures.DELIVERED]
    since = timezone.now() - timedelta(days=DOWNLOAD_WINDOW_DAYS)
    for code, n in summaries.borough_window_counts(toolkit_figures.DOWNLOADS, since=since, la_codes=codes).items():
        rows[code].toolkit_downloads = n
    # Stepping Stones ignores the phase filter: its places are all at secondary and all-through schools, and the
    # difference between two phases' counts of pupils would give away the small numbers hidden elsewhere.
    cohort = ss.current_cohort()
    for code, (enrolled, places) in ss.counts_by_borough(la_codes=codes, cohort=cohort).items():
        if code in rows:
            rows[code].stepping_stones_enrolled, rows[code].stepping_stones_places = enrolled, places
    boroughs = list(rows.values())
    shown = [row for row in boroughs if row.in_scope]
    totals = BoroughFigures(
        la_code=0,
        name="Total",
        bcu_name="",
        in_scope=True,
        open_schools=sum(r.open_schools for r in shown),
        schools_taken_up=sum(r.schools_taken_up for r in shown),
        wands_delivered=sum(r.wands_delivered for r in shown),
        schools_with_officer=sum(r.schools_with_officer for r in shown if r.police_area),
        stepping_stones_enrolled=sum(r.stepping_stones_enrolled for r in shown),
        stepping_stones_places=sum(r.stepping_stones_places for r in shown),
        toolkit_downloads=sum(r.toolkit_downloads for r in shown),
        suppress_pupils=suppress,
        # Police cover is a share of the schools the Met polices: the City of London's are left out of the total.
        police_area=any(r.police_area for r in shown),
        policed_open_schools=sum(r.open_schools for r in shown if r.police_area),
    )
    return Dashboard(
        boroughs=boroughs,
        totals=totals,
        bcu=bcu,
        phase=phase,
        suppress_pupils=suppress,
        cohort_name=cohort.name if cohort else "",
    )


# --- measures for the map -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    attribute: str  # of BoroughFigures
    percent: bool = False
    police: bool = False  # a Met measure: not applicable in the City of London
    pupils: bool = False  # a count of pupils: suppressed below 5 for people who may not see them

    def value(self, row: BoroughFigures):
        return getattr(row, self.attribute)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("wand_take_up_percent", "Open schools that have taken up wands (%)", "take_up_percent", percent=True),
        Measure("schools_taken_up", "Schools that have taken up wands", "schools_taken_up"),
        Measure("wands_delivered", "Wands delivered", "wands_delivered"),
        Measure(
            "officer_cover_percent",
            "Open schools with a named police contact (%)",
            "officer_cover_percent",
            percent=True,
            police=True,
        ),
        Measure(
            "stepping_stones_enrolled", "Stepping Stones pupils with a place", "stepping_stones_enrolled", pupils=True
        ),
        Measure("stepping_stones_places", "Stepping Stones places", "stepping_stones_places"),
        Measure("toolkit_downloads", "Toolkit downloads in the last 12 months", "toolkit_downloads"),
        Measure("open_schools", "Open schools", "open_schools"),
    )
}
DEFAULT_MEASURE = "wand_take_up_percent"


def measure_display(measure: Measure, row: BoroughFigures) -> str:
    value = measure.value(row)
    if value is None:
        return "Not applicable" if measure.police and not row.police_area else "No open schools"
    if measure.pupils:
        return row.stepping_stones_enrolled_display
    if measure.percent:
        return f"{value:g}%"
    return f"{value:,}"


def measure_values(board: Dashboard, measure: Measure) -> list[dict]:
    """Every borough's value of one measure, as the map and the API show it (the same numbers as the table)."""
    result = []
    for row in board.boroughs:
        value = measure.value(row) if row.in_scope else None
        suppressed = bool(row.in_scope and measure.pupils and row.stepping_stones_enrolled_suppressed)
        if row.in_scope and measure.pupils:
            value = row.stepping_stones_enrolled_shown
        reason = ""
        if row.in_scope and measure.police and not row.police_area:
            reason = CITY_POLICE_NOTE
        elif not row.in_scope:
            reason = "Outside the area you are looking at"
        result.append(
            {
                "la_code": row.la_code,
                "name": row.name,
                "gss_code": row.gss_code,
                "bcu": row.bcu_name,
                "bcu_slug": row.bcu_slug,
                "in_scope": row.in_scope,
                "value": value,
                "display": measure_display(measure, row) if row.in_scope else "Not shown",
                "suppressed": suppressed,
                "reason": reason,
            }
        )
    return result


# --- school safety profile ----------------------------------------------------------------------------------------


def school_for_profile(*, user, urn: int) -> School | None:
    """The school if this person may see its profile; None (404) otherwise, and for schools outside London."""
    school = (
        School.objects.filter(pk=urn)
        .exclude(local_authority__area=LocalAuthority.Area.OUTSIDE)
        .select_related("local_authority__bcu")
        .first()
    )
    if school is None or not permissions.can_view_school_profile(user, school):
        return None
    return school


def own_schools(*, user) -> list[School]:
    """The schools whose profile is this person's own business: where they work, and where they are the named
    officer."""
    schools = set(schools_acting_for(user).exclude(local_authority__area=LocalAuthority.Area.OUTSIDE))
    officer = officer_selectors.officer_of_user(user)
    if officer is not None:
        schools.update(a.school for a in officer_selectors.officer_current_assignments(officer))
    return sorted(schools, key=lambda school: (school.name, school.pk))


# At most this many schools are listed for a search by name; the page says how many matched and to narrow it.
PROFILE_SEARCH_LIMIT = 50


def schools_with_visible_profile(*, user) -> QuerySet[School]:
    """London's schools whose profile this person may see: the queryset form of
    `permissions.can_view_school_profile` (VRU roles: all of London; allocators: their BCUs' schools; staff: their
    schools; officers: the schools they are the named contact for), as `school_for_profile` answers school by school."""
    london = School.objects.exclude(local_authority__area=LocalAuthority.Area.OUTSIDE)
    if permissions.is_vru(user):
        return london
    scope = Q(pk__in=schools_acting_for(user).values("pk"))
    bcu_ids = officer_selectors.allocator_bcu_ids(user)
    if bcu_ids:
        scope |= Q(local_authority__bcu_id__in=bcu_ids)
    officer = officer_selectors.officer_of_user(user) if roles.POLICE_OFFICER in user_role_names(user) else None
    if officer is not None:
        scope |= Q(pk__in=Assignment.objects.filter(officer=officer, end_date__isnull=True).values("school_id"))
    return london.filter(scope)


@dataclass
class ProfileSearch:
    text: str
    schools: list[School]  # the first PROFILE_SEARCH_LIMIT, by name
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.schools)


def profile_schools_search(*, user, text: str) -> ProfileSearch:
    """The open schools whose name holds `text` (Find a school's search: case-insensitive, any part of the name; the
    start of a postcode too) that this person may see a profile of, by name; at most PROFILE_SEARCH_LIMIT of them with
    the number that matched. A fixed number of queries whatever the number of schools."""
    matching = schools_search(params={"q": text}).filter(pk__in=schools_with_visible_profile(user=user).values("pk"))
    schools = list(matching.order_by("name", "urn")[:PROFILE_SEARCH_LIMIT])
    total = matching.count() if len(schools) == PROFILE_SEARCH_LIMIT else len(schools)
    return ProfileSearch(text=text, schools=schools, total=total)


@dataclass
class SchoolProfile:
    school: School
    activity: list[Activity]
    allowance: object
    wand_requests: list[WandRequest]
    visible_request_ids: frozenset[int]
    named_officer: object
    officer_since: object
    officer_history: list[Assignment]
    stepping_stones: ss.SchoolPlaces
    may_see_pupils: bool
    pupil_links: list[tuple[str, str]]
    toolkit_downloads_total: int
    toolkit_downloads_year: int
    is_policed_by_met: bool
    links: dict = field(default_factory=dict)  # predecessors, successors, other (schools.selectors.school_links)

    @property
    def shows_rounded_counts(self) -> bool:
        """Whether "At a glance" shows a count of pupils rounded for this viewer (and so needs the note saying so)."""
        return not self.may_see_pupils and any(item.suppress_small for item in self.activity)


def _staff_user_ids(school: School):
    return SchoolMembership.objects.current().filter(school=school).values("user_id")


def school_profile(*, user, school: School, viewing_as: bool = False) -> SchoolProfile:
    """Everything the portal knows about one school's safety work, counts only where the viewer may not see pupils.

    Call only with a school from `school_for_profile`; `viewing_as`: a programme admin viewing as `user` (the view
    resolves it), who sees no pupils."""
    current = officer_selectors.current_assignment(school)
    since = timezone.now() - timedelta(days=DOWNLOAD_WINDOW_DAYS)
    # Totals only: what a school's few staff downloaded, resource by resource, could point at one person.
    downloads = Download.objects.filter(user_id__in=_staff_user_ids(school))
    counts = downloads.aggregate(total=Count("pk"), year=Count("pk", filter=Q(downloaded_at__gte=since)))
    may_see = not viewing_as and ss.may_see_pupils(user, school)
    suppress = not may_see
    places = ss.school_places(school=school, suppress=suppress)
    visible = frozenset(
        wand_selectors.wand_requests_visible_to(user).filter(school=school).values_list("pk", flat=True)
    )
    # Counts of pupils carry suppress_small and are shown through core.suppression (Activity.display).
    activity = collect_school_activity([school.pk]).get(school.pk, [])
    return SchoolProfile(
        school=school,
        activity=activity,
        allowance=wand_selectors.school_allowance_figures(school=school),
        wand_requests=list(wand_selectors.school_wand_requests(school=school)[:20]),
        visible_request_ids=visible,
        named_officer=current.officer if current else None,
        officer_since=current.start_date if current else None,
        officer_history=list(officer_selectors.school_assignment_history(school)[:20]),
        stepping_stones=places,
        may_see_pupils=may_see,
        pupil_links=ss.pupil_links(user, school, participating=places.participating) if may_see else [],
        toolkit_downloads_total=counts["total"],
        toolkit_downloads_year=counts["year"],
        is_policed_by_met=school.local_authority.bcu_id is not None,
        links=school_links(urn=school.urn),
    )


# --- a borough's own schools, for its systems (OAuth scope borough:read) -------------------------------------------


def borough_school_figures(*, la_code: int) -> dict | None:
    """One borough's open schools, each with its programme figures: wand take-up and wands delivered, whether it has
    a named police contact (None in the City of London, which the Met does not police), and the borough's toolkit
    downloads. No counts of pupils: those stay in the open figures, rounded. A fixed number of queries."""
    authority = LocalAuthority.objects.filter(code=la_code).first()
    if authority is None:
        return None
    schools = School.objects.filter(status__in=School.OPEN_STATUSES, local_authority_id=la_code)
    figures = summaries.school_counts(
        schools, figures=(wand_figures.TAKEN_UP, wand_figures.DELIVERED, officer_figures.COVERED)
    )
    rows = list(schools.order_by("name", "urn").values("urn", "name", "phase", "status"))
    for row in rows:
        counts = figures.get(row["urn"])
        row["wands_taken_up"] = bool(counts and counts[wand_figures.TAKEN_UP])
        row["police_contact"] = bool(counts and counts[officer_figures.COVERED])
        row["wands_delivered"] = counts[wand_figures.DELIVERED] if counts else 0
    policed = authority.bcu_id is not None
    if not policed:
        for row in rows:
            row["police_contact"] = None
    since = timezone.now() - timedelta(days=DOWNLOAD_WINDOW_DAYS)
    return {
        "la_code": authority.code,
        "gss_code": authority.gss_code,
        "la_name": authority.name,
        "as_of": timezone.now(),
        "open_schools": len(rows),
        "schools_taken_up": sum(1 for row in rows if row["wands_taken_up"]),
        "wands_delivered": sum(row["wands_delivered"] for row in rows),
        "schools_with_police_contact": sum(1 for row in rows if row["police_contact"]) if policed else None,
        "toolkit_downloads_12_months": Download.objects.filter(downloaded_at__gte=since, borough_id=la_code).count(),
        "schools": rows,
    }
