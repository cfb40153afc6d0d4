"""The school confirms delivery, nobody else: fulfilment staff dispatch ("dispatch, couriers, returns" in the role
table) and are neither offered "Confirm delivery" nor allowed it by the page, the API or the service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent
from wands import services
from wands.models import WandRequest

from .factories import WandRequestFactory, staff_with_wand_duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(school):
    return WandRequestFactory(school=school, dispatched=True)


def test_fulfilment_staff_are_not_offered_confirm_delivery(client, fulfilment, dispatched):
    client.force_login(fulfilment)
    body = client.get(reverse("wands:request_detail", kwargs={"pk": dispatched.pk})).content.decode()
    assert "Confirm delivery" not in body
    assert reverse("wands:request_confirm_delivery", kwargs={"pk": dispatched.pk}) not in body


def test_the_school_is_offered_confirm_delivery(client, head, dispatched):
    client.force_login(head)
    body = client.get(reverse("wands:request_detail", kwargs={"pk": dispatched.pk})).content.decode()
    assert "Confirm delivery" in body


def test_staff_with_the_wand_duty_may_confirm(school, dispatched):
    staff = staff_with_wand_duty(school)
    services.wand_request_confirm_delivery(wand_request_id=dispatched.pk, actor=staff)
    dispatched.refresh_from_db()
    assert dispatched.status == WandRequest.Status.DELIVERED


def test_the_service_refuses_fulfilment_staff_and_writes_nothing(fulfilment, dispatched):
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.wand_request_confirm_delivery(wand_request_id=dispatched.pk, actor=fulfilment)
    dispatched.refresh_from_db()
    assert dispatched.status == WandRequest.Status.DISPATCHED and dispatched.delivered_at is None
    assert AuditEvent.objects.count() == events


def test_the_page_refuses_fulfilment_staff(client, fulfilment, dispatched):
    client.force_login(fulfilment)
    url = reverse("wands:request_confirm_delivery", kwargs={"pk": dispatched.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == WandRequest.Status.DISPATCHED


def test_the_api_refuses_fulfilment_staff(client, fulfilment, dispatched):
    client.force_login(fulfilment)
    response = client.post(f"/api/v1/wands/requests/{dispatched.pk}/confirm-delivery/")
    assert response.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == WandRequest.Status.DISPATCHED
