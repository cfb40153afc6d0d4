"""The wands dashboard at national scale (issue 22): its figures come from grouped queries and a walk of the
delivery-time index, so the queries do not grow with schools or requests, and the figures are what counting every
row in Python gives."""

import statistics
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import SchoolFactory
from wands.models import WandRequest
from wands.selectors import dashboard_figures

pytestmark = pytest.mark.django_db

Status = WandRequest.Status


def add_requests(statuses_and_days):
    """A request per (status, days to delivery or None), each at its own school, created at different times."""
    now = timezone.now()
    rows = []
    for n, (status, days) in enumerate(statuses_and_days):
        created = now - timedelta(days=400, minutes=37 * n)
        rows.append(
            WandRequest(
                school=SchoolFactory(),
                quantity=n % 3 + 1,
                status=status,
                contact_name="A",
                contact_phone="020 7946 0000",
                delivery_address="x",
                delivery_postcode="E1 1AA",
                policy_confirmed=True,
                decision_reason="Not needed",
                delivered_at=created + timedelta(days=days) if days is not None else None,
            )
        )
    made = WandRequest.objects.bulk_create(rows)
    for n, wand_request in enumerate(made):  # created_at is auto_now_add: set it afterwards
        WandRequest.objects.filter(pk=wand_request.pk).update(created_at=now - timedelta(days=400, minutes=37 * n))
    return made


def median_of_every_row():
    """What the dashboard showed before issue 22: every delivered request's time into Python."""
    durations = [
        (delivered - created).total_seconds() / 86400
        for created, delivered in WandRequest.objects.filter(
            status=Status.DELIVERED, delivered_at__isnull=False
        ).values_list("created_at", "delivered_at")
    ]
    return round(statistics.median(durations), 1) if durations else None


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_issues_the_same_queries_at_3_and_60_requests(client, admin, rules):
    client.force_login(admin)
    url = reverse("wands:dashboard")
    add_requests([(Status.DELIVERED, 3), (Status.APPROVED, None), (Status.SUBMITTED, None)])
    client.get(url)  # warm per-process caches (content types)
    small = queries_for(client, url)
    statuses = [Status.DELIVERED, Status.DISPATCHED, Status.WAITING_FOR_STOCK, Status.CANCELLED, Status.REJECTED]
    add_requests([(statuses[n % 5], n % 11 if n % 5 == 0 else None) for n in range(57)])
    assert queries_for(client, url) == small


@pytest.mark.parametrize("count", [0, 1, 4, 7])
def test_the_median_days_to_delivery_is_the_median_of_every_delivered_request(rules, count):
    # Uneven times (hours apart), one delivered request without a delivery time, and requests in other statuses.
    add_requests([(Status.DELIVERED, (n * 7919) % 13 + n / 24) for n in range(count)])
    add_requests([(Status.DELIVERED, None), (Status.DISPATCHED, None), (Status.APPROVED, None)])
    figures = dashboard_figures()
    assert figures["median_days_to_delivery"] == median_of_every_row()
    if count == 0:
        assert figures["median_days_to_delivery"] is None


def test_the_totals_are_the_sums_of_the_requests(rules):
    made = add_requests([(status, 2 if status == Status.DELIVERED else None) for status in Status.values * 2])
    figures = dashboard_figures()
    quantities = {status: sum(r.quantity for r in made if r.status == status) for status in Status.values}
    assert figures["wands_requested"] == sum(
        quantity for status, quantity in quantities.items() if status not in (Status.CANCELLED, Status.REJECTED)
    )
    assert figures["wands_dispatched"] == quantities[Status.DISPATCHED] + quantities[Status.DELIVERED]
    assert figures["wands_delivered"] == quantities[Status.DELIVERED]
    assert figures["status_counts"] == dict.fromkeys(Status.values, 2)
