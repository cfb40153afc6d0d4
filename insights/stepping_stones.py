"""Stepping Stones as the dashboard and the school profile show it: counts only, never a pupil.

Places and pupils holding a place come from the current cohort's participating schools (places and places_taken, the
counter Stepping Stones keeps), grouped by the borough of the receiving secondary in one aggregate query; a school's
counts (pupils referred, pupils holding a place) come from `stepping_stones.selectors.counts_by_school` for the current
cohort, as the officers' queue shows them. Whether someone may see the pupils behind the
counts is Stepping Stones' own rule (`stepping_stones.permissions`), asked with a user; "view as" is resolved by the
view (never a pupil reader) before it is asked.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import suppression
from stepping_stones import permissions as ss_permissions
from stepping_stones import selectors as ss_selectors
from stepping_stones.models import ParticipatingSchool


def current_cohort():
    return ss_selectors.cohort_current()


def counts_by_borough(*, la_codes: Collection[int], cohort=None) -> dict[int, tuple[int, int]]:
    """{la_code: (pupils holding a place, places)} for the current cohort's participating secondaries."""
    cohort = cohort or current_cohort()
    if cohort is None or not la_codes:
        return {}
    rows = ParticipatingSchool.objects.filter(cohort=cohort, school__local_authority_id__in=list(la_codes))
    return {
        row["school__local_authority_id"]: (row["filled"], row["places"])
        for row in rows.order_by()
        .values("school__local_authority_id")
        .annotate(filled=Coalesce(Sum("places_taken"), 0), places=Coalesce(Sum("places"), 0))
    }


def may_see_pupils(user, school) -> bool:
    """Coordinators and the school's own Stepping Stones lead (headteachers hold every duty)."""
    return ss_permissions.is_coordinator(user) or ss_permissions.leads_school(user, school)


@dataclass(frozen=True)
class SchoolPlaces:
    cohort_name: str
    participating: bool
    places: int
    pupils_in_programme: int
    pupils_referred: int
    suppressed: bool

    def _show(self, value: int) -> str:
        return suppression.pupil_count_label(value, exact=not self.suppressed)

    def shown(self, value: int) -> int | None:
        """A count of pupils as published to this viewer (core.suppression)."""
        return suppression.pupil_count(value, exact=not self.suppressed)

    @property
    def pupils_in_programme_display(self) -> str:
        return self._show(self.pupils_in_programme)

    @property
    def pupils_referred_display(self) -> str:
        return self._show(self.pupils_referred)

    @property
    def places_left_display(self) -> str:
        """Places minus pupils: with the places (published exactly) it would give the exact number of pupils, so
        only pupil readers see it; for anyone else it is "not shown" (the profile page leaves the row out)."""
        if self.suppressed:
            return "not shown"
        return str(max(self.places - self.pupils_in_programme, 0))


def school_places(*, school, suppress: bool) -> SchoolPlaces:
    cohort = current_cohort()
    if cohort is None:
        return SchoolPlaces("", False, 0, 0, 0, suppress)
    participation = ParticipatingSchool.objects.filter(cohort=cohort, school=school).first()
    counts = ss_selectors.counts_by_school([school.pk], cohort=cohort).get(school.pk)
    return SchoolPlaces(
        cohort_name=cohort.name,
        participating=participation is not None,
        places=participation.places if participation else 0,
        # The same selector and cohort as the officers' queue (stepping_stones.figures) and the Stepping Stones pages:
        # pupils holding a place at the school, a place offered from the waiting list included.
        pupils_in_programme=counts.in_programme if counts else 0,
        pupils_referred=counts.referred if counts else 0,
        suppressed=suppress,
    )


def pupil_links(user, school, *, participating: bool) -> list[tuple[str, str]]:
    """The Stepping Stones pages where a pupil reader sees the pupils behind the counts (never listed here)."""
    links = [(reverse("stepping_stones:referral_list"), "Referrals in Stepping Stones")]
    if participating and ss_permissions.can_view_school_cohort(user, school):
        cohort_url = reverse("stepping_stones:school_cohort", kwargs={"urn": school.pk})
        links.append((cohort_url, "This school's places and waiting list"))
    if ss_permissions.can_view_dashboard(user):
        links.append((reverse("stepping_stones:dashboard"), "Stepping Stones dashboard"))
    return links
