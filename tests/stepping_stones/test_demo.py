"""Demo data: the 2026 transition with fictional pupils in every state, made through the services."""

import io

import pytest
from django.test import override_settings

from accounts import demo as accounts_demo
from accounts.models import SchoolMembership, User
from schools import demo as schools_demo
from stepping_stones import demo, selectors
from stepping_stones.models import ParticipatingSchool, PossibleDuplicate, Referral
from stepping_stones.upn import upn_is_valid

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_has_every_state_valid_upns_and_something_for_the_demo_lead():
    schools_demo.seed(stdout=io.StringIO(), options={"schools": 600})
    accounts_demo.seed(stdout=io.StringIO(), options={})
    out = io.StringIO()
    demo.seed(stdout=out, options={})
    assert "fictional pupils" in out.getvalue()
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(Referral.Status.values), set(Referral.Status.values) - statuses
    for referral in Referral.objects.exclude(upn=""):
        assert upn_is_valid(referral.upn)
        assert referral.last_name in demo.SURNAMES
    assert Referral.objects.filter(upn_is_temporary=True).exists()
    assert Referral.objects.filter(minimised_at__isnull=False).exists()
    for row in ParticipatingSchool.objects.all():
        holding = Referral.objects.filter(receiving_school=row.school, status__in=Referral.HOLDS_PLACE).count()
        assert row.places_taken == holding <= row.places
    # A possible duplicate to show the coordinators' duplicate pages: one pupil referred by two primaries.
    [pair] = PossibleDuplicate.objects.filter(decision=PossibleDuplicate.Decision.OPEN)
    assert pair.first.upn == pair.second.upn and pair.first.referring_school != pair.second.referring_school
    assert "1 possible duplicate pair(s)" in out.getvalue()
    coordinator = User.objects.get(email=accounts_demo.demo_email("stepping-stones-coordinator"))
    assert list(selectors.possible_duplicates_for(coordinator)) == [pair]
    lead = User.objects.get(email=accounts_demo.demo_email("stepping-stones-lead"))
    visible = selectors.referrals_visible_to(lead)
    assert visible.filter(status="waitlisted").exists() and visible.filter(status="offered").exists()
    again = io.StringIO()
    demo.seed(stdout=again, options={})
    assert "already loaded" in again.getvalue()


@override_settings(DEBUG=True)
def test_demo_uses_the_current_transition_year_and_a_primary_with_its_own_lead():
    from stepping_stones.models import Cohort, current_transition_year

    schools_demo.seed(stdout=io.StringIO(), options={"schools": 600})
    accounts_demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})
    assert list(Cohort.objects.values_list("transition_year", flat=True)) == [current_transition_year()]
    primary_lead = User.objects.get(email=accounts_demo.demo_email(accounts_demo.PRIMARY_LEAD[0]))
    primary = accounts_demo.demo_primary_school()
    assert SchoolMembership.objects.current().get(user=primary_lead).school == primary
    made = Referral.objects.filter(referring_school=primary)
    assert made.exists() and set(made.values_list("created_by", flat=True)) == {primary_lead.pk}
    assert set(selectors.referrals_visible_to(primary_lead)) == set(made)
    assert selectors.drafts_for(primary_lead).exists()  # her home page lists a draft by the pupil's name


@override_settings(DEBUG=True)
def test_demo_refers_only_from_schools_that_teach_year_6():
    """Stepping Stones takes Year 6 pupils into Year 7: an infant school (ages 3 to 7) or any other school whose
    statutory age range leaves out Year 6 (pupils aged 10 to 11) has nobody to refer and is nobody's feeder."""
    from schools.models import School

    schools_demo.seed(stdout=io.StringIO(), options={"schools": 600})
    accounts_demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})
    # The demo register has infant schools in the demo boroughs, so the demo has to choose.
    boroughs = (demo.HACKNEY, demo.TOWER_HAMLETS, demo.LAMBETH)
    assert School.objects.filter(
        local_authority_id__in=boroughs, phase=School.Phase.PRIMARY, statutory_high_age__lt=11
    ).exists()
    referring = School.objects.filter(pk__in=Referral.objects.values("referring_school_id"))
    feeders = School.objects.filter(pk__in=ParticipatingSchool.feeder_primaries.through.objects.values("school_id"))
    assert referring.exists() and feeders.exists()
    for school in {*referring, *feeders}:
        ages = (school.statutory_low_age, school.statutory_high_age)
        assert None not in ages and ages[0] <= 10 and ages[1] >= 11, f"{school.name} (ages {ages}) has no Year 6"


@override_settings(DEBUG=True)
def test_demo_referrals_are_dated_over_the_past_months_in_the_order_of_their_statuses():
    """The demo's history is spread over months (README), not all dated the day the demo was loaded."""
    from datetime import timedelta

    from django.utils import timezone

    schools_demo.seed(stdout=io.StringIO(), options={"schools": 600})
    accounts_demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})
    now = timezone.now()
    referrals = list(Referral.objects.all())
    created = [r.created_at for r in referrals]
    assert max(created) <= now and now - min(created) > timedelta(days=60)
    for r in referrals:
        assert r.created_at <= (r.submitted_at or now) <= (r.decided_at or now) <= now, r.reference

    def newest(*statuses):
        return max(r.created_at for r in referrals if r.status in statuses)

    def oldest(*statuses):
        return min(r.created_at for r in referrals if r.status in statuses)

    placed = (Referral.Status.ACCEPTED, Referral.Status.ENROLLED, Referral.Status.ACTIVE, Referral.Status.COMPLETED)
    assert newest(*placed) < oldest(Referral.Status.SUBMITTED) < newest(Referral.Status.DRAFT)
    [offered] = [r for r in referrals if r.status == Referral.Status.OFFERED]
    assert offered.offer_expires_on >= timezone.localdate()  # its date to confirm by is still ahead
