"""Places are never over-filled, even when several people accept at once: real threads against PostgreSQL (skipped on
SQLite, which serialises writers). Each race runs 20 times."""

import pytest

from stepping_stones import services
from stepping_stones.models import ParticipatingSchool, Referral
from tests.concurrency import run_together

from .factories import CohortFactory, ParticipatingSchoolFactory, coordinator, primary_school, refer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 20


def test_concurrent_accepts_never_overfill_places():
    cohort = CohortFactory(transition_year=2026)
    first, second = coordinator(), coordinator()
    primary = primary_school()
    n = 0
    for run in range(RUNS):
        participating = ParticipatingSchoolFactory(cohort=cohort, places=3)
        referrals = []
        for _ in range(6):
            referrals.append(
                refer(actor=first, cohort=cohort, referring_school=primary, receiving_school=participating.school, n=n)
            )
            n += 1
        results = run_together(
            [
                lambda r=r, actor=(first if i % 2 else second): services.referral_accept(actor=actor, referral=r)
                for i, r in enumerate(referrals)
            ]
        )
        accepted = [r for r in results if isinstance(r, Referral)]
        full = [r for r in results if isinstance(r, services.PlacesFull)]
        assert (len(accepted), len(full)) == (3, 3), (run, results)
        participating.refresh_from_db()
        assert participating.places_taken == 3
        assert Referral.objects.filter(receiving_school=participating.school, status="accepted").count() == 3


def test_withdrawal_offer_and_a_new_accept_race_for_the_freed_place():
    cohort = CohortFactory(transition_year=2026)
    vru = coordinator()
    primary = primary_school()
    n = 10_000
    for run in range(RUNS):
        participating = ParticipatingSchoolFactory(cohort=cohort, places=1)
        school = participating.school
        holder, waiting, newcomer = (
            refer(actor=vru, cohort=cohort, referring_school=primary, receiving_school=school, n=n + i)
            for i in range(3)
        )
        n += 3
        services.referral_accept(actor=vru, referral=holder)
        services.referral_waitlist(actor=vru, referral=waiting)
        run_together(
            [
                lambda: services.referral_withdraw(actor=vru, referral=holder, reason="Moved away"),
                lambda: services.referral_accept(actor=vru, referral=newcomer),
            ]
        )
        participating = ParticipatingSchool.objects.get(pk=participating.pk)
        holding = Referral.objects.filter(receiving_school=school, status__in=Referral.HOLDS_PLACE).count()
        assert participating.places_taken == holding <= 1, run


def test_two_schools_referring_the_same_upn_at_once_are_always_flagged():
    """Neither referral sees the other before it commits; the cohort lock makes the second wait and then see the
    first, so the pair always reaches the coordinators."""
    from stepping_stones.models import PossibleDuplicate

    from .factories import lead_of, upn_for

    cohort = CohortFactory(transition_year=2026)
    schools = [primary_school() for _ in range(3)]
    leads = [lead_of(school) for school in schools]
    for run in range(RUNS):
        upn = upn_for(20_000 + run)
        results = run_together(
            [
                lambda lead=lead, school=school: refer(
                    actor=lead, cohort=cohort, referring_school=school, n=20_000 + run, upn=upn, submit=False
                )
                for lead, school in zip(leads, schools, strict=True)
            ]
        )
        assert all(isinstance(r, Referral) for r in results), (run, results)
        pairs = PossibleDuplicate.objects.filter(first__upn=upn)
        assert pairs.count() == 3, (run, list(pairs.values_list("first_id", "second_id")))
