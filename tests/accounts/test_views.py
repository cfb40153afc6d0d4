"""The HTML journeys: what a person sees and what is written, with GOV.UK error summaries on bad input."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, JoinRequest, Organisation, PoliceRole, ProgrammeRole, SchoolMembership

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def as_head(client, head):
    client.force_login(head)
    return client


def has_error_summary(response, message: str) -> bool:
    text = response.content.decode()
    return "govuk-error-summary" in text and message in text and "<title>Error:" in text


class TestInviteHeadteacher:
    url = reverse("accounts:invite_headteacher")

    def test_bad_input_shows_the_error_summary(self, as_admin):
        response = as_admin.post(self.url, {"urn": "12", "email": "nope"})
        assert response.status_code == 200
        assert has_error_summary(response, "Enter a URN of 6 digits")
        assert "Enter a valid email address" in response.content.decode()
        response = as_admin.post(self.url, {"urn": "999999", "email": "a@example.org"})
        assert has_error_summary(response, "No school in the register has that URN")
        assert not Invitation.objects.exists()

    def test_closed_school_is_refused_on_the_form(self, as_admin):
        closed = SchoolFactory(closed=True)
        response = as_admin.post(self.url, {"urn": closed.urn, "email": "a@example.org"})
        assert has_error_summary(response, "is closed")

    def test_send_then_confirmation(self, as_admin, school, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_admin.post(self.url, {"urn": school.urn, "email": "new@example.org"})
        invitation = Invitation.objects.get()
        assert response.status_code == 302 and response.url == reverse("accounts:invitation_sent", args=[invitation.pk])
        page = as_admin.get(response.url).content.decode()
        assert "Invitation sent" in page and school.name in page
        assert len(mail.outbox) == 1
        listing = as_admin.get(reverse("accounts:invitations")).content.decode()
        assert "new@example.org" in listing and "Waiting" in listing


class TestInvitationCsvUpload:
    def test_bad_rows_are_listed_with_their_lines(self, as_admin, school):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = f"urn,email\n{school.urn},ok@example.org\n999999,x@example.org\n{school.urn},bad\n".encode()
        response = as_admin.post(
            reverse("accounts:invite_headteacher_csv"), {"file": SimpleUploadedFile("heads.csv", data, "text/csv")}
        )
        page = response.content.decode()
        assert has_error_summary(response, "The file has 2 rows with problems")
        assert "not a school in the register" in page and "not a valid email" in page
        assert not Invitation.objects.exists()

    def test_check_your_answers_then_send(self, as_admin):
        from django.core.files.uploadedfile import SimpleUploadedFile

        one, two = SchoolFactory(), SchoolFactory()
        data = f"urn,email\n{one.urn},a@example.org\n{two.urn},b@example.org\n".encode()
        response = as_admin.post(
            reverse("accounts:invite_headteacher_csv"), {"file": SimpleUploadedFile("heads.csv", data, "text/csv")}
        )
        assert response.status_code == 302
        check = as_admin.get(response.url).content.decode()
        assert one.name in check and two.name in check and "Send 2 invitations" in check
        assert not Invitation.objects.exists()
        response = as_admin.post(reverse("accounts:invite_headteacher_csv_check"))
        assert response.status_code == 302 and Invitation.objects.count() == 2
        assert as_admin.get(reverse("accounts:invite_headteacher_csv_check")).status_code == 302  # used up

    def test_missing_file(self, as_admin):
        response = as_admin.post(reverse("accounts:invite_headteacher_csv"), {})
        assert has_error_summary(response, "Choose a CSV file to upload")


class TestAcceptInvitationPage:
    def url(self, token):
        return reverse("accounts:invitation_accept", args=[token])

    def test_anonymous_is_asked_to_sign_in_with_the_right_address(self, client, school):
        InvitationFactory(token="tok-1", school=school, email="new@example.org")
        page = client.get(self.url("tok-1")).content.decode()
        assert "Accept your invitation" in page and school.name in page
        assert reverse("account_login") in page and "new@example.org" not in page

    def test_the_invited_person_accepts_and_is_sent_to_set_up_two_factor(self, client, school):
        InvitationFactory(token="tok-2", school=school, email="new@example.org")
        user = UserFactory(email="new@example.org")
        client.force_login(user)
        response = client.post(self.url("tok-2"))
        assert response.status_code == 302
        assert SchoolMembership.objects.current().get(user=user).role == "headteacher"
        follow = client.get(response.url)
        assert follow.status_code == 302 and follow.url.startswith(reverse("mfa_activate_totp"))

    def test_other_signed_in_person_sees_a_warning_and_cannot_accept(self, client, school):
        InvitationFactory(token="tok-3", school=school, email="new@example.org")
        client.force_login(UserFactory(email="other@example.org"))
        assert "different email address" in client.get(self.url("tok-3")).content.decode()
        response = client.post(self.url("tok-3"))
        assert has_error_summary(response, "different email address")
        assert not SchoolMembership.objects.exists()

    @pytest.mark.parametrize(
        "traits, message",
        [({"expired": True}, "has expired"), ({"revoked": True}, "withdrawn")],
    )
    def test_unusable_links_explain_why(self, client, school, traits, message):
        InvitationFactory(token="tok-4", school=school, email="new@example.org", **traits)
        client.force_login(UserFactory(email="new@example.org"))
        assert message in client.get(self.url("tok-4")).content.decode()
        client.post(self.url("tok-4"))
        assert not SchoolMembership.objects.exists()

    def test_used_link(self, client, school):
        InvitationFactory(token="tok-5", school=school, email="new@example.org")
        user = UserFactory(email="new@example.org")
        client.force_login(user)
        client.post(self.url("tok-5"))
        client.force_login(UserFactory(email="someone@example.org"))
        assert "already been used" in client.get(self.url("tok-5")).content.decode()

    def test_unknown_token_is_404(self, client, db):
        response = client.get(self.url("no-such-token"))
        assert response.status_code == 404 and "not valid" in response.content.decode()


class TestSchoolPeople:
    def test_headteacher_sees_people_requests_and_invitations(self, as_head, school):
        staff = SchoolMembershipFactory(school=school, user=UserFactory(full_name="Sam Staff"))
        SchoolDutyFactory(membership=staff)
        JoinRequestFactory(school=school, user=UserFactory(full_name="Jo Joiner"))
        InvitationFactory(school=school, staff=True, email="invited@example.org")
        page = as_head.get(reverse("accounts:school_people", args=[school.urn])).content.decode()
        assert "Sam Staff" in page and "Wand requests" in page and "Jo Joiner" in page and "invited@example.org" in page

    def test_other_schools_are_404(self, as_head):
        assert as_head.get(reverse("accounts:school_people", args=[SchoolFactory().urn])).status_code == 404

    def test_duties_are_granted_and_removed(self, as_head, school):
        staff = SchoolMembershipFactory(school=school)
        url = reverse("accounts:membership_duties", args=[staff.pk])
        as_head.post(url, {"duties": ["wand_requests", "stepping_stones_lead"]})
        assert set(staff.duties.current().values_list("duty", flat=True)) == {"wand_requests", "stepping_stones_lead"}
        as_head.post(url, {"duties": ["wand_requests"]})
        assert set(staff.duties.current().values_list("duty", flat=True)) == {"wand_requests"}
        assert staff.duties.count() == 2

    def test_end_membership_needs_a_reason(self, as_head, school):
        staff = SchoolMembershipFactory(school=school)
        url = reverse("accounts:membership_end", args=[staff.pk])
        assert has_error_summary(as_head.post(url, {"reason": ""}), "Give a reason")
        as_head.post(url, {"reason": "Left the school"})
        staff.refresh_from_db()
        assert staff.ended_at and staff.end_reason == "Left the school"

    def test_a_headteachers_own_duties_page_says_they_hold_every_duty(self, as_head, school, head):
        membership = head.school_memberships.get(school=school)
        page = as_head.get(reverse("accounts:membership_duties", args=[membership.pk])).content.decode()
        assert "A headteacher holds every duty" in page and "Save duties" not in page

    def test_ending_your_own_membership_warns_you(self, as_head, school, head):
        membership = head.school_memberships.get(school=school)
        page = as_head.get(reverse("accounts:membership_end", args=[membership.pk])).content.decode()
        assert "End your own membership?" in page and "cannot undo this yourself" in page
        staff = SchoolMembershipFactory(school=school, user=UserFactory(full_name="Sam Staff"))
        other = as_head.get(reverse("accounts:membership_end", args=[staff.pk])).content.decode()
        assert "End Sam Staff's membership?" in other and "End your own" not in other

    def test_invite_staff(self, as_head, school):
        response = as_head.post(reverse("accounts:staff_invite", args=[school.urn]), {"email": "t@example.org"})
        assert response.status_code == 302
        assert Invitation.objects.get().role == "staff"

    def test_a_role_removed_while_signed_in_is_gone_on_the_next_request(self, as_head, school, head):
        url = reverse("accounts:school_people", args=[school.urn])
        assert as_head.get(url).status_code == 200
        SchoolMembership.objects.filter(user=head).update(ended_at="2026-01-01T00:00:00Z")
        assert as_head.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)  # one transaction per request, as served: fragments are stored
def test_an_invitation_leaves_the_cached_page_when_it_expires(as_head, school):
    """No write happens when an invitation expires: the cached part of the page is kept only until then."""
    url = reverse("accounts:school_people", args=[school.urn])
    now = timezone.now()
    InvitationFactory(school=school, staff=True, email="soon@example.org", expires_at=now + timedelta(seconds=2))
    InvitationFactory(school=school, staff=True, email="later@example.org")
    page = as_head.get(url).content.decode()
    assert "soon@example.org" in page and "later@example.org" in page
    assert "soon@example.org" in as_head.get(url).content.decode()  # from the cache
    time.sleep(max(0.0, (now + timedelta(seconds=2.1) - timezone.now()).total_seconds()))
    page = as_head.get(url).content.decode()
    assert "soon@example.org" not in page and "later@example.org" in page


@pytest.mark.django_db(transaction=True)  # one transaction per request, as served: fragments are stored
def test_the_invitation_list_shows_an_invitation_expired_when_it_expires(client, admin):
    client.force_login(admin)
    url = reverse("accounts:invitations")
    now = timezone.now()
    InvitationFactory(email="soon@example.org", expires_at=now + timedelta(seconds=2))
    for _ in range(2):  # the second from the cache
        page = client.get(url).content.decode()
        assert "Waiting" in page and "Expired" not in page
    time.sleep(max(0.0, (now + timedelta(seconds=2.1) - timezone.now()).total_seconds()))
    page = client.get(url).content.decode()
    assert "Expired" in page and "Waiting" not in page


def test_the_revoke_page_of_an_invitation_already_revoked_says_so_and_asks_nothing(as_head, school):
    invitation = InvitationFactory(school=school, staff=True, email="gone@example.org")
    url = reverse("accounts:invitation_revoke", args=[invitation.pk])
    assert as_head.get(url).status_code == 200
    as_head.post(url, {"confirm": "yes"})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    for response in (as_head.get(url), as_head.post(url, {"confirm": "yes"})):  # Back, or a second tab
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:school_people", args=[school.urn])
    page = as_head.get(reverse("accounts:school_people", args=[school.urn])).content.decode()
    assert "The invitation for gone@example.org is revoked: there is nothing to revoke." in page


class TestJoinRequests:
    url = reverse("accounts:join_request_create")

    def test_closed_or_unknown_school(self, client):
        client.force_login(UserFactory())
        closed = SchoolFactory(closed=True)
        assert has_error_summary(client.post(self.url, {"urn": closed.urn}), "is closed")
        assert has_error_summary(client.post(self.url, {"urn": "999999"}), "No school in the register")
        assert not JoinRequest.objects.exists()

    def test_request_once_then_the_headteacher_decides(self, client, school, head):
        joiner = UserFactory()
        client.force_login(joiner)
        assert client.post(self.url, {"urn": school.urn, "message": "Teacher"}).status_code == 302
        assert has_error_summary(client.post(self.url, {"urn": school.urn}), "already asked")
        join_request = JoinRequest.objects.get()
        assert "Waiting for a decision" in client.get(reverse("accounts:my_schools")).content.decode()

        client.force_login(head)
        decide = reverse("accounts:join_request_decide", args=[join_request.pk])
        assert has_error_summary(client.post(decide, {"decision": "decline", "reason": ""}), "Give a reason")
        client.post(decide, {"decision": "approve"})
        assert SchoolMembership.objects.current().get(user=joiner).school == school
        page = client.post(decide, {"decision": "decline", "reason": "Oops"})
        assert "already been approved" in page.content.decode()


class TestProgrammeAdminPages:
    def test_an_admin_cannot_give_themselves_a_role(self, as_admin, admin):
        url = reverse("accounts:programme_role_grant")
        page = as_admin.post(url, {"email": admin.email, "kind": "stepping_stones_coordinator"})
        assert has_error_summary(page, "cannot give yourself a role")
        assert not ProgrammeRole.objects.filter(user=admin, kind="stepping_stones_coordinator").exists()

    def test_grant_programme_role(self, as_admin):
        user = UserFactory(email="editor@example.org")
        url = reverse("accounts:programme_role_grant")
        assert has_error_summary(
            as_admin.post(url, {"email": "nobody@example.org", "kind": "toolkit_editor"}), "No account"
        )
        as_admin.post(url, {"email": "EDITOR@example.org", "kind": "toolkit_editor"})
        role = ProgrammeRole.objects.get(user=user)
        assert "editor@example.org" in as_admin.get(reverse("accounts:programme_roles")).content.decode()
        as_admin.post(reverse("accounts:programme_role_end", args=[role.pk]), {"reason": "Left the VRU"})
        role.refresh_from_db()
        assert role.ended_at

    def test_police_allocator_needs_a_scope(self, as_admin):
        UserFactory(email="alloc@example.org")
        url = reverse("accounts:police_role_grant")
        assert has_error_summary(
            as_admin.post(url, {"email": "alloc@example.org", "kind": "allocator"}), "Choose the BCUs"
        )
        from schools.models import BasicCommandUnit

        central_east = BasicCommandUnit.objects.get(slug="central-east")
        as_admin.post(url, {"email": "alloc@example.org", "kind": "allocator", "bcus": [central_east.pk]})
        assert list(PoliceRole.objects.get().bcus.all()) == [central_east]

    def test_schools_without_headteacher(self, as_admin, school, head):
        SchoolMembershipFactory(school=school)
        page = as_admin.get(reverse("accounts:schools_without_headteacher")).content.decode()
        assert school.name not in page
        SchoolMembership.objects.filter(user=head).update(ended_at="2026-01-01T00:00:00Z")
        page = as_admin.get(reverse("accounts:schools_without_headteacher")).content.decode()
        assert school.name in page

    def test_organisation_register_and_verify(self, client, admin):
        user = UserFactory()
        client.force_login(user)
        from schools.models import LocalAuthority

        url = reverse("accounts:organisation_register")
        assert has_error_summary(client.post(url, {"name": ""}), "Enter the organisation")
        hackney = LocalAuthority.objects.get(code=204)
        response = client.post(url, {"name": "Hackney Youth", "type": "youth", "borough": hackney.pk})
        organisation = Organisation.objects.get()
        assert response.url == reverse("accounts:organisation_detail", args=[organisation.pk])
        client.force_login(admin)
        detail = reverse("accounts:organisation_detail", args=[organisation.pk])
        assert has_error_summary(client.post(detail, {"decision": "decline"}), "Give a reason")
        client.post(detail, {"decision": "verify"})
        assert Organisation.objects.get().status == "verified"

    def test_organisation_members_cannot_decide(self, client):
        organisation = OrganisationFactory()
        client.force_login(organisation.registered_by)
        detail = reverse("accounts:organisation_detail", args=[organisation.pk])
        assert client.post(detail, {"decision": "verify"}).status_code == 403


class TestAccessReviewPages:
    def test_headteacher_confirms_a_lead(self, as_head, school):
        lead = SchoolDutyFactory(membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True)
        page = as_head.get(reverse("accounts:access_reviews")).content.decode()
        assert lead.membership.user.email in page
        as_head.post(reverse("accounts:role_confirm", args=["duty", lead.pk]))
        lead.refresh_from_db()
        assert lead.confirmed_at is not None

    def test_unknown_kind_is_404(self, as_admin):
        assert as_admin.get(reverse("accounts:role_confirm", args=["nonsense", 1])).status_code == 404


def test_your_schools_links_each_school_to_its_safety_profile(client):
    membership = SchoolMembershipFactory()
    client.force_login(membership.user)
    page = client.get(reverse("accounts:my_schools")).content.decode()
    profile = reverse("insights:school_profile", args=[membership.school_id])
    assert f'href="{profile}"' in page
    assert client.get(profile).status_code == 200
