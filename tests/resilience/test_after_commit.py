"""After-commit side effects are independent: a cache failure at commit time never loses the emails of a committed
request, nor turns it into a 500."""

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from core import pagination
from tests.wands.conftest import admin, head, rules, school  # noqa: F401 - fixtures
from wands.models import WandRequest

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the hooks run as in production


def payload(school):  # noqa: F811
    return {
        "school_urn": school.pk,
        "quantity": 2,
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "policy_confirmed": True,
    }


@pytest.fixture
def failing_hook():
    """The list-total invalidation fails after the commit (and only then), as when Redis went away mid-request."""
    real = pagination._new_version
    raised = []

    def new_version(scope):
        if not connection.in_atomic_block:
            raised.append(scope)
            raise ConnectionError("redis went away")
        return real(scope)

    with mock.patch.object(pagination, "_new_version", side_effect=new_version):
        yield raised


def test_a_failing_cache_hook_after_commit_does_not_stop_the_emails(head, admin, school, failing_hook):  # noqa: F811
    api = APIClient()
    api.force_authenticate(head)
    api.raise_request_exception = False
    response = api.post(reverse("wands-api:requests"), payload(school), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.content
    assert failing_hook  # the invalidation hook did run after the commit, and raised
    assert WandRequest.objects.count() == 1
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2, subjects  # the school's receipt and the admins' notice, both queued and sent
    assert {tuple(message.to) for message in mail.outbox} == {(head.email,), (admin.email,)}


def test_a_cache_that_raises_on_every_call_neither_fails_the_write_nor_the_emails(head, admin, school):  # noqa: F811
    api = APIClient()
    api.force_authenticate(head)
    api.raise_request_exception = False
    broken = mock.Mock()
    broken.incr.side_effect = ConnectionError("redis went away")
    broken.set.side_effect = ConnectionError("redis went away")
    with mock.patch.object(pagination, "cache", broken):
        response = api.post(reverse("wands-api:requests"), payload(school), format="json")
    assert response.status_code == 201, response.content
    assert len(mail.outbox) == 2
