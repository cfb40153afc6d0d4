"""Demo data: requests in every state through the services, and one open pick-up for fulfilment to collect."""

import io

import pytest
from django.db.models import Sum
from django.test import override_settings

from accounts import demo as accounts_demo
from tests.accounts.factories import SchoolFactory, london_authority
from wands import demo, selectors
from wands.models import StockLevel, StockMovement, WandIssue, WandRequest

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_has_requests_in_every_state_and_one_open_pick_up(rules):
    SchoolFactory(urn=150001, local_authority=london_authority(204), number_of_pupils=900)
    for n in range(demo.SCHOOLS + 2):
        SchoolFactory(local_authority=london_authority(204 + n % 3), number_of_pupils=900)
    accounts_demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})  # re-running changes nothing

    pickups = list(selectors.wand_pickups_open())
    assert len(pickups) == 1
    issue = pickups[0]
    assert issue.kind == WandIssue.Kind.FAULTY
    assert issue.replacement.status == WandRequest.Status.DISPATCHED
    assert issue.wand_request.status == WandRequest.Status.DELIVERED
    statuses = set(WandRequest.objects.values_list("status", flat=True))
    assert statuses == set(WandRequest.Status.values)
    totals = StockMovement.objects.aggregate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    level = StockLevel.objects.get(pk=1)
    assert (totals["on_hand"], totals["reserved"]) == (level.on_hand, level.reserved)


@override_settings(DEBUG=True)
def test_demo_timelines_are_spread_over_past_dates_in_order(rules):
    """Each request's history happens over weeks (submitted, decided, dispatched, delivered days apart), in the past,
    not every event at the moment seed_demo ran."""
    from datetime import timedelta

    from django.utils import timezone

    from core.selectors import audit_timeline

    for n in range(demo.SCHOOLS + 2):
        SchoolFactory(local_authority=london_authority(204 + n % 3), number_of_pupils=900)
    accounts_demo.seed(stdout=io.StringIO(), options={})
    started = timezone.now()
    demo.seed(stdout=io.StringIO(), options={})
    requests = list(WandRequest.objects.filter(idempotency_key__startswith=demo.DEMO_KEY_PREFIX))
    assert len({r.created_at.date() for r in requests}) > 10  # submitted on many different days
    assert all(r.created_at < started - timedelta(days=20) for r in requests)
    delivered = [r for r in requests if r.status == WandRequest.Status.DELIVERED]
    assert delivered
    for wand_request in delivered:
        times = [event.created_at for event in audit_timeline(target=wand_request).order_by("created_at", "id")]
        assert len(times) >= 4
        assert times == sorted(times) and times[-1] < started  # in order, all in the past
        assert times[-1] - times[0] >= timedelta(days=3)  # days apart, not one instant
        assert wand_request.delivered_at - wand_request.created_at >= timedelta(days=3)
