"""Races the sign-up must win: real threads against PostgreSQL (skipped on SQLite, which serialises writers)."""

import pytest

from public import services
from public.models import ConsentRecord, Subscriber
from tests.concurrency import run_together

from .factories import ConsentRecordFactory, SubscriberFactory, defaults

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def version(transactional_db):
    return defaults().version


def test_the_same_address_signing_up_at_once_is_one_subscriber(version):
    def sign_up():
        return services.signup_request(email="Reader@Example.org", topic_slugs=["toolkit"], statement_version=version)

    results = run_together([sign_up for _ in range(8)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Subscriber.objects.count() == 1
    # The same sign-up again while the address waits to confirm it stores nothing new (issue 16: Back and submit
    # again): one consent record, one confirmation email, however many arrive at once (the subscriber row is locked).
    assert ConsentRecord.objects.count() == 1


def test_confirm_and_unsubscribe_at_once_always_ends_unsubscribed(version):
    for _ in range(5):
        subscriber = SubscriberFactory()
        consent = ConsentRecordFactory(subscriber=subscriber)
        confirm = services.confirm_token_for(consent)
        leave = services.unsubscribe_token_for(subscriber.pk)
        run_together([lambda: services.signup_confirm(token=confirm), lambda: services.unsubscribe(token=leave)])
        subscriber.refresh_from_db()
        assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
        assert subscriber.topics.count() == 0
