"""Every limited quantity under real concurrent writers on PostgreSQL, each race run 20 times: 0 oversell.

The single-run versions with their exact outcomes live with their apps (tests/wands, tests/officers,
tests/accounts); these repeat each race so that a lost-update window that opens one time in a few is caught.
Stepping Stones places are raced in test_stepping_stones.py.
"""

import pytest
from django.db.models import Sum

from core.errors import DomainError
from officers import services as officer_services
from officers.models import Assignment
from tests.accounts.factories import SchoolFactory, headteacher_of
from tests.concurrency import run_together
from tests.officers.factories import OfficerFactory, allocator
from tests.wands.factories import WandRequestFactory, staff_with_wand_duty
from wands import services as wand_services
from wands.models import AllowanceRule, StockLevel, WandRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 20


@pytest.fixture
def wand_rules():
    for phase, min_pupils, wands in [("", 0, 2), ("secondary", 0, 4), ("secondary", 750, 6), ("primary", 0, 1)]:
        AllowanceRule.objects.update_or_create(phase=phase, min_pupils=min_pupils, defaults={"wands": wands})
    StockLevel.objects.get_or_create(pk=1)


def test_wand_stock_is_never_oversold(wand_rules):
    """Each run: 5 wands arrive, 12 requests for one wand are approved at once; 5 more reserved, never more."""
    from tests.accounts.factories import programme_admin

    admin = programme_admin()
    for run in range(1, RUNS + 1):
        wand_services.stock_delivery_record(actor=admin, quantity=5, batch=f"RACE-{run}")
        requests = [WandRequestFactory(quantity=1, school=SchoolFactory()) for _ in range(12)]
        results = run_together(
            [lambda pk=r.pk: wand_services.wand_request_approve(wand_request_id=pk, actor=admin) for r in requests]
        )
        assert not [r for r in results if isinstance(r, Exception)], (run, results)
        level = StockLevel.objects.get()
        assert level.available >= 0 and level.reserved <= level.on_hand, (run, level.__dict__)
        assert (level.on_hand, level.reserved) == (5 * run, 5 * run), run
        # Stock that arrives goes to requests already waiting first, so count approvals across every run.
        assert WandRequest.objects.filter(status=WandRequest.Status.APPROVED).count() == 5 * run, run


def test_a_school_allowance_is_never_exceeded(wand_rules):
    """Each run: a school with 2 of its 6 wands left; four people request 1 wand each at the same moment."""
    for run in range(RUNS):
        school = SchoolFactory(number_of_pupils=900)
        people = [headteacher_of(school)] + [staff_with_wand_duty(school) for _ in range(3)]

        def submit(actor, quantity, school=school):
            return wand_services.wand_request_submit(
                actor=actor,
                school=school,
                quantity=quantity,
                contact_name="Sam Site",
                contact_phone="020 7946 0000",
                delivery_address="1 High Street\nLondon",
                delivery_postcode="E8 1AA",
                policy_confirmed=True,
            )

        submit(people[0], 4)
        results = run_together([lambda actor=actor: submit(actor, 1) for actor in people])
        made = [r for r in results if isinstance(r, WandRequest)]
        refused = [r for r in results if isinstance(r, wand_services.AllowanceExceeded)]
        assert (len(made), len(refused)) == (2, 2), (run, results)
        total = WandRequest.objects.filter(school=school).aggregate(total=Sum("quantity"))["total"]
        assert total == 6, run


def test_an_officer_is_never_filled_beyond_capacity():
    """Each run: an officer with room for one more school; four allocators each assign a school at once."""
    allocators = [allocator(two_factor=False) for _ in range(4)]
    for run in range(RUNS):
        officer = OfficerFactory(capacity=15)  # each school weighs 10 once the weight rules are flushed
        schools = [SchoolFactory(latitude=51.545, longitude=-0.055) for _ in range(4)]
        results = run_together(
            [
                lambda s=s, u=u: officer_services.assignment_create(actor=u, school_urn=s.pk, officer_id=officer.pk)
                for s, u in zip(schools, allocators, strict=True)
            ]
        )
        assert sum(isinstance(r, Assignment) for r in results) == 1, (run, results)
        assert all(isinstance(r, Assignment | DomainError) for r in results), (run, results)
        load = Assignment.objects.filter(officer=officer, end_date__isnull=True).aggregate(w=Sum("weight"))["w"]
        assert load <= officer.capacity, run


def test_a_school_never_gets_two_named_officers():
    """Each run: three allocators give one school three different officers at the same moment; one wins."""
    allocators = [allocator(two_factor=False) for _ in range(3)]
    for run in range(RUNS):
        school = SchoolFactory(latitude=51.545, longitude=-0.055)
        officers = [OfficerFactory() for _ in range(3)]
        results = run_together(
            [
                lambda o=o, u=u: officer_services.assignment_create(
                    actor=u, school_urn=school.pk, officer_id=o.pk, override_reason="Race"
                )
                for o, u in zip(officers, allocators, strict=True)
            ]
        )
        assert sum(isinstance(r, Assignment) for r in results) == 1, (run, results)
        assert Assignment.objects.filter(school=school, end_date__isnull=True).count() == 1, run
