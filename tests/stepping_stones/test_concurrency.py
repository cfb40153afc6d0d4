"""Places are never over-filled, even when several people accept at once: real threads against PostgreSQL (skipped on
SQLite, which serialises writers). Each race runs 20 times."""

import threading

import pytest
from django.db import connection

from stepping_stones import services
from stepping_stones.models import ParticipatingSchool, Referral

from .factories import CohortFactory, ParticipatingSchoolFactory, coordinator, primary_school, refer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 20


def run_together(functions):
    """Start every function at the same moment, each on its own connection; return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
