"""Edit an officer (page and API PATCH): audited from → to; capacity below load needs a reason; a BCU move ends the
assignments outside the new BCU (back in the queue) after a confirmation."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import AuditEvent
from officers import selectors, services
from officers.models import Assignment
from tests.accounts.factories import bcu
from tests.etag import patch_with_etag

from .factories import AssignmentFactory, OfficerFactory, allocator

pytestmark = pytest.mark.django_db


def _post_data(officer, **changes):
    data = {
        "name": officer.name, "shoulder_number": officer.shoulder_number, "rank": officer.rank,
        "role_type": officer.role_type, "bcu": officer.bcu_id, "base_name": officer.base_name,
        "base_postcode": officer.base_postcode, "base_latitude": officer.base_latitude,
        "base_longitude": officer.base_longitude, "capacity": officer.capacity, "work_email": officer.work_email,
        "work_phone": officer.work_phone,
    }  # fmt: skip
    return {**data, **changes}


@pytest.fixture
def mover(reference_data):
    return allocator("central-east", "north-west")


def test_edit_is_audited_from_to(client, alloc, near):
    client.force_login(alloc)
    url = reverse("officers:officer_edit", kwargs={"pk": near.pk})
    assert f'value="{near.name}"' in client.get(url).content.decode()
    response = client.post(url, _post_data(near, capacity=120, work_phone="020 7000 0001", rank="sgt"))
    assert response.status_code == 302
    near.refresh_from_db()
    assert (near.capacity, near.rank) == (120, "sgt")
    event = AuditEvent.objects.get(verb="officer.updated")
    assert event.data["before"] == {"rank": "Police Constable", "capacity": "100", "work_phone": "020 7230 1212"}
    assert event.data["after"] == {"rank": "Sergeant", "capacity": "120", "work_phone": "020 7000 0001"}
    assert "capacity: 100" in event.from_state and "capacity: 120" in event.to_state


def test_capacity_below_load_needs_a_reason(client, alloc, school, near):
    AssignmentFactory(school=school, officer=near, weight=60)
    client.force_login(alloc)
    url = reverse("officers:officer_edit", kwargs={"pk": near.pk})
    refused = client.post(url, _post_data(near, capacity=40)).content.decode()
    assert "govuk-error-summary" in refused
    assert "below Near Officer&#x27;s current load (60)" in refused
    near.refresh_from_db()
    assert near.capacity == 100 and not AuditEvent.objects.filter(verb="officer.updated").exists()
    ok = client.post(url, _post_data(near, capacity=40, reason="Part-time from next month"))
    assert ok.status_code == 302
    near.refresh_from_db()
    assert near.capacity == 40
    assert AuditEvent.objects.get(verb="officer.updated").reason == "Part-time from next month"


def test_moving_bcu_asks_to_confirm_then_puts_schools_back_in_the_queue(client, mover, school, near):
    AssignmentFactory(school=school, officer=near, weight=20)
    client.force_login(mover)
    url = reverse("officers:officer_edit", kwargs={"pk": near.pk})
    north_west = bcu("north-west")
    confirm = client.post(url, _post_data(near, bcu=north_west.pk))
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Move Near Officer to North West?" in body
    assert school.name in body and 'name="confirm" value="on"' in body
    near.refresh_from_db()
    assert near.bcu_id != north_west.pk  # nothing changed yet
    done = client.post(url, _post_data(near, bcu=north_west.pk, confirm="on"), follow=True)
    assert "1 of their schools are back in the queue" in done.content.decode()
    near.refresh_from_db()
    assert near.bcu_id == north_west.pk
    assert selectors.named_officer_for(school) is None
    assert school in selectors.queue_for(mover)
    assert Assignment.objects.get().end_reason == "Officer moved to North West"


def test_move_to_a_bcu_the_allocator_does_not_cover_is_refused(alloc, near):
    with pytest.raises(DomainError) as error:
        services.officer_update(actor=alloc, officer_id=near.pk, bcu=bcu("north-west"))
    assert error.value.field == "bcu"


def test_bad_input_shows_errors_not_500(client, alloc, near, far):
    client.force_login(alloc)
    url = reverse("officers:officer_edit", kwargs={"pk": near.pk})
    empty = client.post(url, {})
    assert empty.status_code == 200 and "govuk-error-summary" in empty.content.decode()
    taken = client.post(url, _post_data(near, shoulder_number=far.shoulder_number)).content.decode()
    assert f"shoulder number {far.shoulder_number} already exists" in taken


def test_other_bcus_officer_is_404(client, alloc, reference_data):
    other = OfficerFactory(bcu=bcu("north-west"))
    client.force_login(alloc)
    assert client.get(reverse("officers:officer_edit", kwargs={"pk": other.pk})).status_code == 404


def test_api_patch(mover, school, near):
    AssignmentFactory(school=school, officer=near, weight=60)
    api = APIClient()
    api.force_authenticate(mover)
    url = reverse("officers-api:officer", kwargs={"pk": near.pk})
    assert patch_with_etag(api, url, {"capacity": 0}).status_code == 400
    below = patch_with_etag(api, url, {"capacity": 30})
    assert below.status_code == 400 and "reason" in below.json()["errors"]
    assert patch_with_etag(api, url, {"capacity": 30, "reason": "Reduced hours"}).json()["capacity"] == 30
    north_west = bcu("north-west").slug
    move = patch_with_etag(api, url, {"bcu": north_west})
    assert move.status_code == 400 and "1 school outside it" in move.json()["errors"]["bcu"][0]
    assert patch_with_etag(api, url, {"bcu": "atlantis"}).status_code == 400
    moved = patch_with_etag(api, url, {"bcu": north_west, "confirm_move": True})
    assert moved.status_code == 200 and moved.json()["bcu"] == "north-west"
    assert selectors.named_officer_for(school) is None
