"""POST /api/v1/wands/returns/<id>/received/ decides who may act before it reads the body, like the request actions:
404 for someone who may not see the request the return belongs to, 403 for someone who may see it but not take
returns in, and only then a 400 for a bad body. Nothing is written on any refusal."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from tests.accounts.factories import SchoolFactory, headteacher_of
from wands import services
from wands.models import StockLevel, StockMovement, WandIssue

from .conftest import with_two_factor
from .factories import WandRequestFactory

pytestmark = pytest.mark.django_db

BAD_BODIES = [{}, {"working": "perhaps"}, None]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def returned(head, school):
    """A delivered request with one faulty wand reported for return."""
    wand_request = WandRequestFactory(school=school, delivered=True, quantity=2)
    return services.wand_issue_report(
        wand_request_id=wand_request.pk, actor=head, kind="faulty", outcome="return", quantity=1, details="Cracked"
    )


def _url(issue_id):
    return reverse("wands-api:return-received", kwargs={"pk": issue_id})


def _written():
    return (
        StockMovement.objects.count(),
        AuditEvent.objects.count(),
        WandIssue.objects.filter(resolved_at__isnull=False).count(),
    )


def _post(api, user, issue_id, body):
    api.force_authenticate(user)
    before = _written()
    response = api.post(_url(issue_id), body, format="json") if body is not None else api.post(_url(issue_id))
    assert _written() == before, "a refused call wrote something"
    return response


@pytest.mark.parametrize("body", BAD_BODIES, ids=["empty", "not-a-boolean", "no-body"])
def test_someone_who_cannot_see_the_request_gets_404_whatever_the_body(api, returned, rules, body):
    other_head = with_two_factor(headteacher_of(SchoolFactory()))
    assert _post(api, other_head, returned.pk, body).status_code == 404
    assert _post(api, other_head, returned.pk, {"working": True}).status_code == 404


@pytest.mark.parametrize("body", BAD_BODIES, ids=["empty", "not-a-boolean", "no-body"])
def test_someone_who_sees_the_request_but_cannot_take_returns_in_gets_403_before_the_body_is_checked(
    api, returned, head, admin, body
):
    for who in (head, admin):
        response = _post(api, who, returned.pk, body)
        assert response.status_code == 403, (who, response.status_code, response.content)
    assert _post(api, head, returned.pk, {"working": True}).status_code == 403


def test_a_replacement_or_an_unknown_number_is_404_even_for_fulfilment(api, head, school, fulfilment):
    wand_request = WandRequestFactory(school=school, delivered=True, quantity=2)
    replacement = services.wand_issue_report(
        wand_request_id=wand_request.pk, actor=head, kind="faulty", outcome="replacement", quantity=1, details="Dud"
    )
    assert _post(api, fulfilment, replacement.pk, {"working": True}).status_code == 404
    assert _post(api, fulfilment, 999_999, {}).status_code == 404


def test_fulfilment_gets_field_errors_for_a_bad_body_then_takes_the_return_in(api, returned, fulfilment):
    response = _post(api, fulfilment, returned.pk, {"working": "perhaps"})
    assert response.status_code == 400 and "working" in response.json()["errors"]
    api.force_authenticate(fulfilment)
    response = api.post(_url(returned.pk), {"working": True}, format="json")
    assert response.status_code == 200, response.content
    returned.refresh_from_db()
    assert returned.resolved_at is not None
    assert StockLevel.objects.get().on_hand == 1
