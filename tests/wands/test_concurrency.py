"""Races the database must win: real threads against PostgreSQL (skipped on SQLite, which serialises writers)."""

import pytest

from core.errors import DomainError
from tests.accounts.factories import SchoolFactory
from tests.concurrency import run_together
from wands import services
from wands.models import StockLevel, StockMovement, WandRequest

from .conftest import with_two_factor
from .factories import WandRequestFactory, staff_with_wand_duty

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_approvals_against_stock_for_five(rules, admin):
    services.stock_delivery_record(actor=admin, quantity=5, batch="RACE")
    requests = [WandRequestFactory(quantity=1, school=SchoolFactory()) for _ in range(20)]
    results = run_together(
        [lambda pk=r.pk: services.wand_request_approve(wand_request_id=pk, actor=admin) for r in requests]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = list(WandRequest.objects.values_list("status", flat=True))
    assert statuses.count(WandRequest.Status.APPROVED) == 5
    assert statuses.count(WandRequest.Status.WAITING_FOR_STOCK) == 15
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved, level.available) == (5, 5, 0)
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RESERVATION).count() == 5


def test_two_concurrent_requests_for_the_last_of_an_allowance(rules, school, head, submit):
    submit(5)  # allowance 6: one wand left
    colleague = with_two_factor(staff_with_wand_duty(school))
    results = run_together([lambda: submit(1), lambda: submit(1, actor=colleague)])
    succeeded = [r for r in results if isinstance(r, WandRequest)]
    refused = [r for r in results if isinstance(r, services.AllowanceExceeded)]
    assert (len(succeeded), len(refused)) == (1, 1), results
    assert WandRequest.objects.filter(school=school).count() == 2


def test_same_request_approved_and_rejected_at_once_has_one_outcome(rules, admin):
    services.stock_delivery_record(actor=admin, quantity=5, batch="RACE")
    wand_request = WandRequestFactory(quantity=2)
    results = run_together(
        [
            lambda: services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin),
            lambda: services.wand_request_reject(wand_request_id=wand_request.pk, actor=admin, reason="Duplicate"),
            lambda: services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin),
        ]
    )
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 2
    wand_request.refresh_from_db()
    reserved = StockLevel.objects.get().reserved
    assert (wand_request.status, reserved) in {("approved", 2), ("rejected", 0)}


def test_double_submit_with_one_key_creates_one_request(rules, school, head, submit):
    results = run_together([lambda: submit(2, key="same-form"), lambda: submit(2, key="same-form")])
    assert all(isinstance(r, WandRequest) for r in results), results
    assert results[0].pk == results[1].pk
    assert WandRequest.objects.count() == 1
