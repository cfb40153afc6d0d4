"""The demo data includes a few conversions waiting for review, through the real refresh; re-running adds none."""

import io

import pytest

from schools import demo
from schools.models import School, SchoolChange

pytestmark = pytest.mark.django_db


def test_demo_has_conversions_waiting_for_review():
    demo.seed(stdout=io.StringIO(), options={"schools": 400})
    pending = SchoolChange.objects.filter(status=SchoolChange.Status.PENDING, kind=SchoolChange.Kind.SUCCESSION)
    assert pending.count() == 4  # two conversions and an amalgamation of two primaries
    assert pending.values("successor_id").distinct().count() == 3
    assert all(change.school.status == School.Status.OPEN for change in pending)  # waiting, not applied
    demo.seed(stdout=io.StringIO(), options={"schools": 400})
    assert SchoolChange.objects.count() == 4


def test_the_demo_primary_is_not_waiting_to_close():
    """The demo primary (whose lead tries the referral journey) is open and not in the review list; the amalgamation
    waiting for review is of two other Hackney primaries."""
    from accounts.demo import demo_primary_school

    demo.seed(stdout=io.StringIO(), options={"schools": 400})
    primary = demo_primary_school()
    assert primary is not None and primary.phase == School.Phase.PRIMARY
    assert not SchoolChange.objects.filter(school=primary, status=SchoolChange.Status.PENDING).exists()
    # It is still the first open Hackney primary by URN that teaches Year 6: the amalgamation chose other schools.
    assert primary.statutory_low_age <= 10 and primary.statutory_high_age >= 11
    first = (
        School.objects.filter(local_authority_id="204", phase=School.Phase.PRIMARY, status__in=School.OPEN_STATUSES)
        .filter(statutory_low_age__lte=10, statutory_high_age__gte=11)
        .order_by("urn")
        .first()
    )
    assert primary == first
    amalgamated = SchoolChange.objects.filter(status=SchoolChange.Status.PENDING, school__phase=School.Phase.PRIMARY)
    assert amalgamated.count() == 2


def test_a_primary_waiting_to_close_is_never_the_demo_primary():
    from django.utils import timezone

    from accounts.demo import demo_primary_school
    from tests.accounts.factories import SchoolFactory, london_authority

    closing = SchoolFactory(urn=100001, local_authority=london_authority(204), primary=True)
    staying = SchoolFactory(urn=100002, local_authority=london_authority(204), primary=True)
    SchoolChange.objects.create(kind=SchoolChange.Kind.CLOSURE, school=closing, found_at=timezone.now())
    assert demo_primary_school() == staying


def test_an_infant_school_is_never_the_demo_primary():
    """The demo primary's Stepping Stones lead refers Year 6 pupils: an infant school (3 to 7) has none."""
    from accounts.demo import demo_primary_school
    from tests.accounts.factories import SchoolFactory, london_authority

    SchoolFactory(urn=100001, local_authority=london_authority(204), primary=True, statutory_high_age=7)
    junior = SchoolFactory(urn=100002, local_authority=london_authority(204), primary=True, statutory_low_age=7)
    assert demo_primary_school() == junior
