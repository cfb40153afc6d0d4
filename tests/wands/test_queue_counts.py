"""The queue page's totals are cached until a request changes (wands/apps.py): these tests fail if a total is ever
stale after a submission or a decision, or if the cache stops saving the COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wands import services

pytestmark = pytest.mark.django_db


def queue_total(client, **params) -> int:
    return client.get(reverse("wands:queue"), params).context["page"].paginator.count


def count_queries(captured) -> int:
    return sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_the_total_is_counted_once_then_kept(client, admin, submit):
    submit(1)
    client.force_login(admin)
    with CaptureQueriesContext(connection) as first:
        assert queue_total(client) == 1
    with CaptureQueriesContext(connection) as second:
        assert queue_total(client) == 1
    assert (count_queries(first), count_queries(second)) == (1, 0)


def test_every_change_to_a_request_makes_the_totals_fresh(client, admin, head, submit, add_stock):
    client.force_login(admin)
    first = submit(1)
    assert (queue_total(client), queue_total(client, status="submitted")) == (1, 1)
    second = submit(1, key="second")
    assert (queue_total(client), queue_total(client, status="submitted")) == (2, 2)
    add_stock(5)
    services.wand_request_approve(wand_request_id=first.pk, actor=admin)
    assert (queue_total(client, status="submitted"), queue_total(client, status="approved")) == (1, 1)
    services.wand_request_reject(wand_request_id=second.pk, actor=admin, reason="Not eligible")
    assert (queue_total(client, status="submitted"), queue_total(client, status="rejected")) == (0, 1)
    services.wand_request_cancel(wand_request_id=first.pk, actor=head, reason="Changed our minds")
    assert (queue_total(client, status="approved"), queue_total(client, status="cancelled")) == (0, 1)
    assert queue_total(client) == 2
