"""The roles API: thin views over the same services; 400/409 JSON on bad input; 404 outside scope."""

import pytest
from django.urls import reverse

from accounts.models import Invitation, JoinRequest, Organisation, SchoolMembership

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, name, data=None, **kwargs):
        if user is not None:
            client.force_login(user)
        url = reverse(f"accounts-api:{name}", kwargs=kwargs or None)
        return (
            getattr(client, method)(url, data, content_type="application/json")
            if method == "post"
            else client.get(url, data)
        )

    return call


class TestInvitations:
    def test_admin_creates_and_lists_without_the_token(self, api, admin, school):
        response = api(admin, "post", "invitations", {"urn": school.urn, "email": "new@example.org"})
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["school_urn"] == school.urn and body["status"] == "pending" and "token" not in str(body)
        listing = api(admin, "get", "invitations").json()
        # Cursor paging (a growing list): no total, the rows themselves.
        assert len(listing["results"]) == 1 and listing["results"][0]["email"] == "new@example.org"
        assert "count" not in listing and listing["next"] is None

    def test_bad_input_is_400_with_field_errors(self, api, admin):
        response = api(admin, "post", "invitations", {"urn": 999999, "email": "nope"})
        assert response.status_code == 400
        assert set(response.json()["errors"]) >= {"urn", "email"}

    def test_closed_school_is_400_and_duplicate_is_409(self, api, admin, school):
        closed = SchoolFactory(closed=True)
        response = api(admin, "post", "invitations", {"urn": closed.urn, "email": "a@example.org"})
        assert response.status_code == 400 and "closed" in response.json()["errors"]["school"][0]
        api(admin, "post", "invitations", {"urn": school.urn, "email": "a@example.org"})
        response = api(admin, "post", "invitations", {"urn": school.urn, "email": "a@example.org"})
        assert response.status_code == 409 and response.json()["code"] == "conflict"

    def test_staff_cannot_invite_headteachers(self, api, school):
        staff = SchoolMembershipFactory(school=school).user
        response = api(staff, "post", "invitations", {"urn": school.urn, "email": "a@example.org"})
        assert response.status_code == 403
        assert not Invitation.objects.exists()

    def test_headteacher_invites_staff_and_revokes(self, api, head, school):
        response = api(head, "post", "invitations", {"urn": school.urn, "email": "t@example.org", "role": "staff"})
        assert response.status_code == 201
        pk = response.json()["id"]
        assert api(head, "post", "invitation_revoke", pk=pk).json()["status"] == "revoked"
        assert api(head, "post", "invitation_revoke", pk=pk).status_code == 409

    def test_out_of_scope_is_404(self, api, head):
        other = InvitationFactory()
        assert api(head, "get", "invitation_detail", pk=other.pk).status_code == 404
        assert api(head, "post", "invitation_revoke", pk=other.pk).status_code == 404

    def test_accept(self, api, school):
        InvitationFactory(token="api-token", school=school, email="new@example.org", staff=True)
        user = UserFactory(email="new@example.org")
        response = api(user, "post", "invitation_accept", {"token": "api-token"})
        assert response.status_code == 200 and response.json()["role"] == "staff"
        again = api(user, "post", "invitation_accept", {"token": "api-token"})
        assert again.status_code == 409 and "already been used" in again.json()["errors"]["non_field_errors"][0]
        assert api(user, "post", "invitation_accept", {"token": "nope"}).status_code == 400

    def test_anonymous_is_refused(self, api, db):
        assert api(None, "get", "invitations").status_code in {401, 403}


class TestJoinRequests:
    def test_create_list_and_decide(self, api, head, school):
        joiner = UserFactory()
        response = api(joiner, "post", "join_requests", {"urn": school.urn, "message": "Teacher"})
        assert response.status_code == 201
        pk = response.json()["id"]
        assert api(joiner, "post", "join_requests", {"urn": school.urn}).status_code == 409
        assert api(joiner, "post", "join_request_approve", pk=pk).status_code == 403
        assert len(api(head, "get", "join_requests", {"status": "pending"}).json()["results"]) == 1
        assert api(head, "get", "join_requests", {"status": "pendng"}).status_code == 400
        response = api(head, "post", "join_request_decline", {"reason": ""}, pk=pk)
        assert response.status_code == 400 and "reason" in response.json()["errors"]
        assert api(head, "post", "join_request_approve", pk=pk).json()["status"] == "approved"
        assert api(head, "post", "join_request_decline", {"reason": "No"}, pk=pk).status_code == 409
        assert SchoolMembership.objects.current().filter(user=joiner, school=school).exists()

    def test_closed_school(self, api):
        response = api(UserFactory(), "post", "join_requests", {"urn": SchoolFactory(closed=True).urn})
        assert response.status_code == 400
        assert not JoinRequest.objects.exists()

    def test_other_schools_requests_are_404(self, api, head):
        other = JoinRequestFactory()
        assert api(head, "get", "join_request_detail", pk=other.pk).status_code == 404
        assert api(head, "post", "join_request_approve", pk=other.pk).status_code == 404


class TestOrganisations:
    def test_register_and_verify(self, api, admin):
        user = UserFactory()
        response = api(user, "post", "organisations", {"name": "Youth Hub", "type": "youth", "la_code": 204})
        assert response.status_code == 201 and response.json()["status"] == "pending"
        pk = response.json()["id"]
        assert api(user, "post", "organisation_verify", pk=pk).status_code == 403
        assert api(admin, "post", "organisation_verify", pk=pk).json()["status"] == "verified"
        assert api(admin, "post", "organisation_decline", {"reason": "x"}, pk=pk).status_code == 409

    def test_bad_borough(self, api):
        response = api(UserFactory(), "post", "organisations", {"name": "X", "type": "youth", "la_code": 1})
        assert response.status_code == 400 and "la_code" in response.json()["errors"]
        assert not Organisation.objects.exists()

    def test_others_organisations_are_404(self, api):
        assert api(UserFactory(), "get", "organisation_detail", pk=OrganisationFactory().pk).status_code == 404


class TestMemberships:
    def test_list_grant_remove_end(self, api, head, school):
        staff = SchoolMembershipFactory(school=school)
        listing = api(head, "get", "school_memberships", urn=school.urn).json()
        assert listing["count"] == 2
        response = api(head, "post", "membership_duty_grant", {"duty": "wand_requests"}, pk=staff.pk)
        assert response.status_code == 201 and [d["duty"] for d in response.json()["duties"]] == ["wand_requests"]
        assert api(head, "post", "membership_duty_grant", {"duty": "wand_requests"}, pk=staff.pk).status_code == 409
        assert api(head, "post", "membership_duty_grant", {"duty": "x"}, pk=staff.pk).status_code == 400
        response = api(head, "post", "membership_duty_remove", {"duty": "wand_requests"}, pk=staff.pk)
        assert response.status_code == 200 and response.json()["duties"] == []
        assert api(head, "post", "membership_duty_remove", {"duty": "wand_requests"}, pk=staff.pk).status_code == 400
        assert api(head, "post", "membership_end", {}, pk=staff.pk).status_code == 400
        response = api(head, "post", "membership_end", {"reason": "Left"}, pk=staff.pk)
        assert response.status_code == 200 and response.json()["ended_at"]

    def test_scope(self, api, head, school):
        other = SchoolFactory()
        other_member = SchoolMembershipFactory(school=other)
        assert api(head, "get", "school_memberships", urn=other.urn).status_code == 404
        assert api(head, "post", "membership_end", {"reason": "x"}, pk=other_member.pk).status_code == 404
        staff = SchoolMembershipFactory(school=school)
        assert api(staff.user, "get", "school_memberships", urn=school.urn).status_code == 404


def test_schema_documents_the_roles_api(client):
    schema = client.get(reverse("api-schema")).content.decode()
    for path in ("/api/v1/invitations/", "/api/v1/join-requests/{id}/approve/", "/api/v1/organisations/{id}/verify/"):
        assert path in schema
