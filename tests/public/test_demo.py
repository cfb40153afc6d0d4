import io

import pytest

from public import demo, selectors
from public.models import ConsentRecord, ConsentStatement, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_subscribers_topics_and_two_statement_versions(django_assert_max_num_queries):
    out = io.StringIO()
    demo.seed(stdout=out, options={})
    assert list(ConsentStatement.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert Subscriber.objects.count() == demo.SUBSCRIBERS
    statuses = selectors.subscriber_status_counts()
    assert statuses["confirmed"] > statuses["pending"] > 0 and statuses["unsubscribed"] > 0
    assert set(ConsentRecord.objects.values_list("statement__version", flat=True)) == {1, 2}
    assert all(row["confirmed"] >= 0 for row in selectors.topic_counts())
    assert sum(row["confirmed"] for row in selectors.topic_counts()) > 0
    assert not Subscriber.objects.exclude(email__endswith="@example.org").exists()
    assert ConsentRecord.objects.filter(subscriber__status="unsubscribed", withdrawn_at__isnull=True).count() == 0

    again = io.StringIO()
    demo.seed(stdout=again, options={})
    assert "already present" in again.getvalue()
    assert Subscriber.objects.count() == demo.SUBSCRIBERS
