"""Writes that try to set what the role may not set (status, school, quantities, owner, scope) change nothing beyond
what the role may do: extra fields are ignored, out-of-scope values refused with a 400/403/404 and nothing written.

Stepping Stones' create and update endpoints are probed in test_stepping_stones.py once that app has them.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Invitation, JoinRequest, Organisation, SchoolMembership
from core.models import AuditEvent
from officers.models import Officer, OfficerRequest
from tests.accounts.factories import SchoolFactory, UserFactory, bcu, headteacher_of, with_two_factor
from tests.officers.factories import allocator
from wands.models import StockLevel, WandRequest

from .probes import changed_tables, database_snapshot

pytestmark = pytest.mark.django_db

# Fields a client might try to slip into any write.
FORGED = {
    "id": 987654,
    "pk": 987654,
    "status": "approved",
    "state": "approved",
    "reference": "FORGED-1",
    "created_at": "2001-01-01T00:00:00Z",
    "decided_at": "2001-01-01T00:00:00Z",
    "decided_by": 1,
    "requested_by": 1,
    "owner": 1,
    "user": 1,
    "invited_by": 1,
    "registered_by": 1,
    "verified_at": "2001-01-01T00:00:00Z",
    "is_staff": True,
    "is_superuser": True,
    "reserved": 50,
    "approved_quantity": 50,
    "load": 0,
}


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def wand_rules():
    from wands.models import AllowanceRule

    for phase, min_pupils, wands in [("", 0, 2), ("secondary", 0, 4), ("secondary", 750, 6), ("primary", 0, 1)]:
        AllowanceRule.objects.update_or_create(phase=phase, min_pupils=min_pupils, defaults={"wands": wands})
    StockLevel.objects.get_or_create(pk=1)


def test_wand_request_ignores_status_owner_and_reference_fields(wand_rules):
    school = SchoolFactory(number_of_pupils=900)
    head = with_two_factor(headteacher_of(school))
    someone_else = UserFactory()
    body = {
        **FORGED,
        "requested_by": someone_else.pk,
        "decided_by": someone_else.pk,
        "school": SchoolFactory().pk,
        "school_urn": school.pk,
        "quantity": 2,
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "delivery_address": "1 High Street\nLondon",
        "delivery_postcode": "E8 1AA",
        "policy_confirmed": True,
    }
    response = api_for(head).post(reverse("wands-api:requests"), body, format="json")
    assert response.status_code == 201, response.content
    wand_request = WandRequest.objects.get()
    assert wand_request.status == WandRequest.Status.SUBMITTED
    assert (wand_request.school_id, wand_request.requested_by_id) == (school.pk, head.pk)
    assert wand_request.reference != "FORGED-1" and wand_request.pk != 987654
    assert wand_request.decided_at is None
    assert StockLevel.objects.get().reserved == 0


def test_wand_request_for_another_school_or_beyond_the_allowance_writes_nothing(wand_rules):
    school = SchoolFactory(number_of_pupils=900)  # allowance 6
    head = with_two_factor(headteacher_of(school))
    body = {"quantity": 2, "contact_name": "Sam", "contact_phone": "020 7946 0000", "policy_confirmed": True}
    before = database_snapshot()
    other = api_for(head).post(reverse("wands-api:requests"), {**body, "school_urn": SchoolFactory().pk}, format="json")
    assert other.status_code == 400 and "school_urn" in other.json()["errors"]
    too_many = api_for(head).post(
        reverse("wands-api:requests"), {**body, "school_urn": school.pk, "quantity": 7}, format="json"
    )
    assert too_many.status_code in {400, 409}
    negative = api_for(head).post(
        reverse("wands-api:requests"), {**body, "school_urn": school.pk, "quantity": -5}, format="json"
    )
    assert negative.status_code == 400
    assert set(changed_tables(before, database_snapshot())) <= {"schools_school"}  # the other school was created
    assert not WandRequest.objects.exists()


def test_a_headteacher_cannot_set_their_own_allowance(wand_rules):
    school = SchoolFactory(number_of_pupils=900)
    head = with_two_factor(headteacher_of(school))
    before = database_snapshot()
    response = api_for(head).post(
        reverse("wands-api:allowance", kwargs={"urn": school.pk}), {"override": 8, "reason": "More"}, format="json"
    )
    assert response.status_code in {403, 404}
    assert not changed_tables(before, database_snapshot())


def test_an_allocator_cannot_add_an_officer_in_another_bcu_or_set_read_only_fields():
    central_east = allocator("central-east")
    body = {
        **FORGED,
        "name": "PC Probe",
        "shoulder_number": "9999CE",
        "base_name": "Stoke Newington police station",
        "base_postcode": "N16 8DS",
        "base_latitude": 51.56,
        "base_longitude": -0.075,
        "capacity": 100,
    }
    before = database_snapshot()
    refused = api_for(central_east).post(
        reverse("officers-api:officers"), {**body, "bcu": bcu("south-west").slug}, format="json"
    )
    assert refused.status_code == 400 and "bcu" in refused.json()["errors"]
    assert not changed_tables(before, database_snapshot())

    made = api_for(central_east).post(
        reverse("officers-api:officers"), {**body, "bcu": bcu("central-east").slug, "user": central_east.pk}
    )
    assert made.status_code == 201, made.content
    officer = Officer.objects.get(shoulder_number="9999CE")
    assert officer.bcu.slug == "central-east" and officer.user_id is None and officer.pk != 987654


def test_an_allocator_cannot_assign_a_school_outside_their_bcus():
    from officers.models import Assignment
    from tests.officers.factories import OfficerFactory

    officer = OfficerFactory(bcu=bcu("south-west"))
    school = SchoolFactory(latitude=51.545, longitude=-0.055)  # Hackney, Central East
    south_west = allocator("south-west")
    before = database_snapshot()
    response = api_for(south_west).post(
        reverse("officers-api:assignments"),
        {"school_urn": school.pk, "officer_id": officer.pk, "override_reason": "Probe"},
        format="json",
    )
    assert response.status_code in {400, 403, 404}, response.content
    assert not Assignment.objects.exists()
    assert not changed_tables(before, database_snapshot())


def test_a_headteacher_asks_for_an_officer_only_for_their_own_school():
    school = SchoolFactory()
    head = with_two_factor(headteacher_of(school))
    before = database_snapshot()
    response = api_for(head).post(
        reverse("officers-api:requests"),
        {"school_urn": SchoolFactory().pk, "kind": OfficerRequest.Kind.choices[0][0], "reason": "Probe"},
        format="json",
    )
    assert response.status_code == 404
    assert set(changed_tables(before, database_snapshot())) <= {"schools_school"}
    assert not OfficerRequest.objects.exists()


def test_a_headteacher_cannot_invite_a_headteacher_or_staff_at_another_school():
    school = SchoolFactory()
    head = with_two_factor(headteacher_of(school))
    api = api_for(head)
    before = database_snapshot()
    as_head = api.post(
        reverse("accounts-api:invitations"),
        {"urn": school.pk, "email": "new.head@example.org", "role": "headteacher"},
        format="json",
    )
    elsewhere = api.post(
        reverse("accounts-api:invitations"),
        {"urn": SchoolFactory().pk, "email": "new.staff@example.org", "role": "staff"},
        format="json",
    )
    assert as_head.status_code in {400, 403, 404} and elsewhere.status_code in {400, 403, 404}
    assert set(changed_tables(before, database_snapshot())) <= {"schools_school"}
    assert not Invitation.objects.exists()


def test_a_staff_invitation_ignores_forged_owner_and_status():
    school = SchoolFactory()
    head = with_two_factor(headteacher_of(school))
    someone_else = UserFactory()
    response = api_for(head).post(
        reverse("accounts-api:invitations"),
        {**FORGED, "invited_by": someone_else.pk, "urn": school.pk, "email": "new.staff@example.org", "role": "staff"},
        format="json",
    )
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get()
    assert invitation.invited_by_id == head.pk and invitation.school_id == school.pk
    assert invitation.role == Invitation.Role.STAFF
    assert response.json()["status"] == "pending"


def test_registering_an_organisation_cannot_verify_it():
    user = UserFactory()
    response = api_for(user).post(
        reverse("accounts-api:organisations"),
        {**FORGED, "status": "verified", "name": "Probe Youth Club", "type": "youth", "la_code": 204},
        format="json",
    )
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(name="Probe Youth Club")
    assert organisation.status == Organisation.Status.PENDING and organisation.verified_at is None


def test_a_join_request_cannot_approve_itself_or_name_another_user():
    school = SchoolFactory()
    user, someone_else = UserFactory(), UserFactory()
    response = api_for(user).post(
        reverse("accounts-api:join_requests"),
        {**FORGED, "status": "approved", "user": someone_else.pk, "urn": school.pk, "message": "Please"},
        format="json",
    )
    assert response.status_code == 201, response.content
    join_request = JoinRequest.objects.get()
    assert join_request.user_id == user.pk and join_request.status == JoinRequest.Status.PENDING
    assert not SchoolMembership.objects.filter(user=user).exists()


def test_the_me_endpoint_cannot_raise_privileges():
    user = UserFactory()
    api = api_for(user)
    for method in ("patch", "put", "post"):
        getattr(api, method)(reverse("identity-api:me"), {"is_staff": True, "is_superuser": True}, format="json")
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_a_toolkit_editor_cannot_publish_or_rename_through_the_edit_form():
    from education_toolkit.models import Resource
    from tests.education_toolkit.factories import ResourceFactory, toolkit_editor

    resource = ResourceFactory(draft=True)
    editor = with_two_factor(toolkit_editor())
    client = Client()
    client.force_login(editor)
    url = reverse("toolkit:editor_edit", kwargs={"pk": resource.pk})
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, ""):
            continue
        data[name] = value
    data.update({"status": "published", "slug": "hijacked", "published_at": "2001-01-01", "created_by": 1})
    response = client.post(url, data)
    assert response.status_code in {200, 302}
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT
    assert resource.slug != "hijacked"
    assert not AuditEvent.objects.filter(verb__contains="publish").exists()


def test_nobody_without_the_role_reaches_a_create_endpoint_with_forged_fields():
    """A signed-in person with no role posts to every create endpoint of the programmes: nothing is written."""
    user = get_user_model().objects.create_user(email="nobody@example.org", password="a-long-test-password")
    api = api_for(user)
    before = database_snapshot()
    for name in ("wands-api:requests", "officers-api:officers", "officers-api:assignments", "officers-api:requests"):
        response = api.post(reverse(name), {**FORGED, "school_urn": 100000, "quantity": 3}, format="json")
        assert response.status_code in {400, 403, 404}, (name, response.status_code)
    client = Client()
    client.force_login(user)
    assert client.post(reverse("toolkit:editor_create"), {"title": "x", "status": "published"}).status_code == 403
    assert not changed_tables(before, database_snapshot())


def test_an_allocator_cannot_move_an_officer_out_of_their_bcus_or_hand_them_to_a_user():
    from tests.officers.factories import OfficerFactory

    officer = OfficerFactory(bcu=bcu("central-east"))
    central_east = allocator("central-east")
    client = Client()
    client.force_login(central_east)
    url = reverse("officers:officer_edit", kwargs={"pk": officer.pk})
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
    data.update(
        {"bcu": bcu("south-west").pk, "user": central_east.pk, "active": "false", "shoulder_number": "1CE-FORGED"}
    )
    before = database_snapshot()
    response = client.post(url, data)
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not changed_tables(before, database_snapshot())
    officer.refresh_from_db()
    assert officer.bcu.slug == "central-east" and officer.user_id is None and officer.active
