"""Two allocators assign different officers to one school at the same moment: one wins, the other is told."""

import pytest

from core.errors import Conflict
from officers import services
from officers.models import Assignment
from tests.accounts.factories import SchoolFactory
from tests.concurrency import run_together

from .factories import OfficerFactory, allocator

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_allocators_one_school_one_wins(reference_data, attempt):
    school = SchoolFactory(latitude=51.545, longitude=-0.055)
    first, second = OfficerFactory(), OfficerFactory()
    alice, bob = allocator(two_factor=False), allocator(two_factor=False)
    results = run_together(
        [
            lambda: services.assignment_create(
                actor=alice, school_urn=school.pk, officer_id=first.pk, override_reason="Race"
            ),
            lambda: services.assignment_create(
                actor=bob, school_urn=school.pk, officer_id=second.pk, override_reason="Race"
            ),
        ]
    )
    winners = [r for r in results if isinstance(r, Assignment)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "has just been given" in losers[0].message
    assert Assignment.objects.filter(school=school, end_date__isnull=True).count() == 1


def test_two_allocators_filling_one_officer_cannot_both_exceed_capacity(reference_data):
    officer = OfficerFactory(capacity=15)  # transactional tests flush the weight rules: each school weighs 10
    schools = [SchoolFactory(latitude=51.545, longitude=-0.055) for _ in range(2)]
    alice, bob = allocator(two_factor=False), allocator(two_factor=False)
    results = run_together(
        [
            lambda s=s, u=u: services.assignment_create(actor=u, school_urn=s.pk, officer_id=officer.pk)
            for s, u in zip(schools, (alice, bob), strict=True)
        ]
    )
    assert sum(isinstance(r, Assignment) for r in results) == 1, results
    assert Assignment.objects.filter(officer=officer).count() == 1
