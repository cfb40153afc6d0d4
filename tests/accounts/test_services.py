"""Services: each grant, change and removal, the edge cases of issue 3, the audit record and the emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import roles, selectors, services
from accounts.models import (
    Invitation,
    JoinRequest,
    Organisation,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)
from core.csv_import import CsvRejected
from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent
from core.selectors import audit_timeline

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    bcu,
    london_authority,
)

pytestmark = pytest.mark.django_db


def verbs(target):
    return [event.verb for event in audit_timeline(target=target)]


class TestHeadteacherInvitation:
    def test_admin_invites_and_the_email_carries_only_the_link(self, admin, school, run_on_commit):
        with run_on_commit():
            invitation, token = services.headteacher_invite(actor=admin, school=school, email=" New.Head@Example.org ")
        assert invitation.email == "new.head@example.org"
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)
        assert invitation.token_hash != token and len(invitation.token_hash) == 64
        assert verbs(invitation) == ["invitation.sent"]
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.head@example.org"]
        assert f"/invitations/accept/{token}/" in message.body
        assert school.name in message.subject
        assert admin.email not in message.body and "Pat Admin" not in message.body

    def test_only_programme_admins_invite_headteachers(self, head, school):
        with pytest.raises(PermissionDenied):
            services.headteacher_invite(actor=head, school=school, email="x@example.org")
        assert not Invitation.objects.exists()

    def test_closed_school_is_refused(self, admin):
        closed = SchoolFactory(closed=True)
        with pytest.raises(DomainError, match="closed"):
            services.headteacher_invite(actor=admin, school=closed, email="x@example.org")

    def test_malformed_email_is_refused_on_the_email_field(self, admin, school):
        with pytest.raises(DomainError) as exc:
            services.headteacher_invite(actor=admin, school=school, email="not-an-email")
        assert exc.value.field == "email"

    def test_a_second_pending_invitation_for_the_same_person_is_a_conflict(self, admin, school):
        services.headteacher_invite(actor=admin, school=school, email="x@example.org")
        with pytest.raises(Conflict):
            services.headteacher_invite(actor=admin, school=school, email="X@example.org")
        assert Invitation.objects.count() == 1


class TestAcceptInvitation:
    def test_the_invited_person_becomes_headteacher_once(self, admin, school):
        invitation, token = services.headteacher_invite(actor=admin, school=school, email="new@example.org")
        user = UserFactory(email="new@example.org")
        membership = services.invitation_accept(token=token, user=user)
        assert membership.role == "headteacher" and membership.school == school and membership.granted_by == admin
        assert "headteacher" in selectors.user_role_names(User.objects.get(pk=user.pk))
        invitation.refresh_from_db()
        assert invitation.accepted_by == user
        assert verbs(invitation) == ["invitation.sent", "invitation.accepted"]
        assert verbs(membership) == ["membership.granted"]

    def test_reused_link_is_refused(self, admin, school):
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="new@example.org")
        user = UserFactory(email="new@example.org")
        services.invitation_accept(token=token, user=user)
        with pytest.raises(InvalidTransition, match="already been used"):
            services.invitation_accept(token=token, user=user)
        assert SchoolMembership.objects.filter(user=user).count() == 1

    def test_expired_link_is_refused(self, school):
        InvitationFactory(token="expired-token", email="late@example.org", school=school, expired=True)
        user = UserFactory(email="late@example.org")
        with pytest.raises(InvalidTransition, match="expired"):
            services.invitation_accept(token="expired-token", user=user)
        assert not SchoolMembership.objects.exists()

    def test_expiry_is_exactly_seven_days(self, admin, school):
        now = timezone.now()
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="n@example.org", now=now)
        user = UserFactory(email="n@example.org")
        with pytest.raises(InvalidTransition, match="expired"):
            services.invitation_accept(token=token, user=user, now=now + timedelta(days=7))
        services.invitation_accept(token=token, user=user, now=now + timedelta(days=7) - timedelta(seconds=1))

    def test_revoked_link_is_refused(self, admin, school):
        invitation, token = services.headteacher_invite(actor=admin, school=school, email="n@example.org")
        services.invitation_revoke(actor=admin, invitation_id=invitation.pk)
        with pytest.raises(InvalidTransition, match="withdrawn"):
            services.invitation_accept(token=token, user=UserFactory(email="n@example.org"))

    def test_unknown_token_is_refused(self, db):
        with pytest.raises(DomainError, match="not valid"):
            services.invitation_accept(token="nope", user=UserFactory())

    def test_someone_else_cannot_accept(self, admin, school):
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="n@example.org")
        with pytest.raises(DomainError, match="different email"):
            services.invitation_accept(token=token, user=UserFactory(email="intruder@example.org"))
        assert not SchoolMembership.objects.exists()

    def test_an_existing_account_accepts_without_a_second_account(self, admin, school):
        existing = UserFactory(email="known@example.org")
        SchoolMembershipFactory(user=existing)  # already staff elsewhere
        users_before = User.objects.count()
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="KNOWN@example.org")
        services.invitation_accept(token=token, user=existing)
        assert User.objects.count() == users_before
        assert selectors.schools_acting_for(existing).count() == 2

    def test_staff_promoted_to_headteacher_keeps_their_duties(self, admin, school):
        duty = SchoolDutyFactory(
            membership=SchoolMembershipFactory(school=school, user=UserFactory(email="s@example.org")),
            stepping_stones_lead=True,
        )
        user = duty.membership.user
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="s@example.org")
        membership = services.invitation_accept(token=token, user=user)
        assert membership.role == "headteacher"
        assert SchoolMembership.objects.current().filter(user=user).count() == 1
        assert list(membership.duties.current().values_list("duty", flat=True)) == ["stepping_stones_lead"]

    def test_a_school_that_closed_after_the_invitation_cannot_be_joined(self, admin, school):
        _invitation, token = services.headteacher_invite(actor=admin, school=school, email="n@example.org")
        school.status = "closed"
        school.save()
        with pytest.raises(DomainError, match="closed"):
            services.invitation_accept(token=token, user=UserFactory(email="n@example.org"))


CSV_HEADER = "urn,email\n"


class TestInvitationCsv:
    def test_good_file_is_checked_then_sent(self, admin, run_on_commit):
        one, two = SchoolFactory(), SchoolFactory()
        data = f"\ufeff{CSV_HEADER}{one.urn},a@example.org\r\n{two.urn},B@Example.org\r\n\r\n".encode()
        rows = services.headteacher_invitations_check_csv(data=data)
        assert [(row.line, row.urn, row.email) for row in rows] == [
            (2, one.urn, "a@example.org"),
            (3, two.urn, "b@example.org"),
        ]
        assert not Invitation.objects.exists()
        with run_on_commit():
            invitations = services.headteacher_invitations_send(actor=admin, rows=rows)
        assert len(invitations) == 2 and len(mail.outbox) == 2

    def test_every_bad_row_is_listed_and_nothing_is_sent(self, admin):
        good = SchoolFactory()
        closed = SchoolFactory(closed=True)
        data = (
            CSV_HEADER
            + f"{good.urn},ok@example.org\n"
            + "999999,unknown@example.org\n"
            + f"{closed.urn},closed@example.org\n"
            + f"{good.urn},not-an-email\n"
            + "12ab,x@example.org\n"
            + f"{good.urn},ok@example.org\n"
        ).encode()
        with pytest.raises(CsvRejected) as exc:
            services.headteacher_invitations_check_csv(data=data)
        errors = dict(exc.value.problems)
        assert sorted(errors) == [3, 4, 5, 6, 7]
        assert "not a school in the register" in errors[3]
        assert "closed" in errors[4]
        assert "not a valid email" in errors[5]
        assert "6 digits" in errors[6]
        assert "Duplicate of line 2" in errors[7]
        assert not Invitation.objects.exists()

    @pytest.mark.parametrize(
        "data, message",
        [(b"", "empty"), (b"school,address\n100000,a@b.org\n", "headings"), (CSV_HEADER.encode(), "no rows")],
    )
    def test_files_that_are_not_invitation_lists(self, data, message):
        with pytest.raises(CsvRejected) as exc:
            services.headteacher_invitations_check_csv(data=data)
        assert message in exc.value.problems[0].message

    def test_already_invited_rows_are_flagged(self, admin, school):
        services.headteacher_invite(actor=admin, school=school, email="a@example.org")
        with pytest.raises(CsvRejected) as exc:
            services.headteacher_invitations_check_csv(data=f"{CSV_HEADER}{school.urn},a@example.org\n".encode())
        assert "already has an invitation" in exc.value.problems[0].message

    def test_cp1252_file_is_read(self, admin):
        school = SchoolFactory()
        rows = services.headteacher_invitations_check_csv(
            data=f"{CSV_HEADER}{school.urn},a@example.org\n".encode("cp1252")
        )
        assert rows[0].urn == school.urn


class TestStaffAndDuties:
    def test_headteacher_invites_staff_to_their_own_school_only(self, head, school):
        invitation, _ = services.staff_invite(actor=head, school=school, email="staff@example.org")
        assert invitation.role == "staff"
        with pytest.raises(PermissionDenied):
            services.staff_invite(actor=head, school=SchoolFactory(), email="staff@example.org")

    def test_programme_admin_does_not_invite_staff(self, admin, school):
        with pytest.raises(PermissionDenied):
            services.staff_invite(actor=admin, school=school, email="staff@example.org")

    def test_grant_and_remove_duty_are_audited_and_never_deleted(self, head, school):
        membership = SchoolMembershipFactory(school=school)
        duty = services.duty_grant(actor=head, membership_id=membership.pk, duty="wand_requests")
        assert selectors.schools_acting_for(membership.user, duty="wand_requests").get() == school
        with pytest.raises(Conflict):
            services.duty_grant(actor=head, membership_id=membership.pk, duty="wand_requests")
        services.duty_remove(actor=head, duty_id=duty.pk, reason="Moved to pastoral")
        duty.refresh_from_db()
        assert duty.ended_by == head and duty.end_reason == "Moved to pastoral"
        assert not selectors.schools_acting_for(membership.user, duty="wand_requests").exists()
        assert verbs(duty) == ["duty.granted", "duty.removed"]
        assert SchoolDuty.objects.filter(pk=duty.pk).exists()

    def test_unknown_duty_is_refused(self, head, school):
        membership = SchoolMembershipFactory(school=school)
        with pytest.raises(DomainError):
            services.duty_grant(actor=head, membership_id=membership.pk, duty="superpowers")

    def test_another_schools_headteacher_cannot_grant(self, school):
        membership = SchoolMembershipFactory(school=school)
        other_head = SchoolMembershipFactory(headteacher=True).user
        with pytest.raises(PermissionDenied):
            services.duty_grant(actor=other_head, membership_id=membership.pk, duty="wand_requests")


class TestEndMembership:
    def test_headteacher_leaving_keeps_the_staff_and_admins_see_it(self, head, school, admin):
        staff = SchoolMembershipFactory(school=school)
        head_membership = SchoolMembership.objects.get(user=head)
        SchoolDutyFactory(membership=head_membership, stepping_stones_lead=True)
        services.membership_end(actor=head, membership_id=head_membership.pk, reason="Retired")
        head_membership.refresh_from_db()
        assert head_membership.ended_at and head_membership.ended_by == head
        assert not head_membership.duties.current().exists()
        assert SchoolMembership.objects.current().get(school=school) == staff
        assert list(selectors.schools_without_headteacher()) == [school]
        event = AuditEvent.objects.filter(verb="membership.ended").get()
        assert event.data["school_without_headteacher"] is True and event.reason == "Retired"

    def test_reason_is_required(self, head, school):
        staff = SchoolMembershipFactory(school=school)
        with pytest.raises(DomainError) as exc:
            services.membership_end(actor=head, membership_id=staff.pk, reason="  ")
        assert exc.value.field == "reason"

    def test_ending_twice_is_refused(self, head, school):
        staff = SchoolMembershipFactory(school=school)
        services.membership_end(actor=head, membership_id=staff.pk, reason="Left")
        with pytest.raises(InvalidTransition):
            services.membership_end(actor=head, membership_id=staff.pk, reason="Left")

    def test_staff_cannot_end_others(self, school):
        staff = SchoolMembershipFactory(school=school)
        other = SchoolMembershipFactory(school=school)
        with pytest.raises(PermissionDenied):
            services.membership_end(actor=staff.user, membership_id=other.pk, reason="x")


class TestJoinRequests:
    def test_request_approve_and_the_person_is_told(self, head, school, run_on_commit):
        user = UserFactory(full_name="Jo Joiner")
        with run_on_commit():
            join_request = services.join_request_create(user=user, school=school, message="Head of year 7")
        assert mail.outbox[-1].to == [head.email]
        assert "Jo Joiner" not in mail.outbox[-1].body
        with run_on_commit():
            services.join_request_approve(actor=head, join_request_id=join_request.pk)
        join_request.refresh_from_db()
        assert join_request.status == "approved" and join_request.decided_by == head
        assert SchoolMembership.objects.current().get(user=user).role == "staff"
        assert mail.outbox[-1].to == [user.email] and "approved" in mail.outbox[-1].subject
        assert verbs(join_request) == ["join_request.created", "join_request.approved"]

    def test_decline_needs_a_reason_and_the_email_does_not_repeat_it(self, head, school, run_on_commit):
        join_request = JoinRequestFactory(school=school)
        with pytest.raises(DomainError) as exc:
            services.join_request_decline(actor=head, join_request_id=join_request.pk, reason="")
        assert exc.value.field == "reason"
        with run_on_commit():
            services.join_request_decline(actor=head, join_request_id=join_request.pk, reason="Not our staff member")
        join_request.refresh_from_db()
        assert join_request.status == "declined" and join_request.reason == "Not our staff member"
        assert "declined" in mail.outbox[-1].subject and "Not our staff member" not in mail.outbox[-1].body
        assert not SchoolMembership.objects.filter(user=join_request.user).exists()

    def test_closed_school_cannot_be_joined(self):
        with pytest.raises(DomainError, match="closed"):
            services.join_request_create(user=UserFactory(), school=SchoolFactory(closed=True))
        assert not JoinRequest.objects.exists()

    def test_not_twice(self, school):
        user = UserFactory()
        services.join_request_create(user=user, school=school)
        with pytest.raises(Conflict, match="already asked"):
            services.join_request_create(user=user, school=school)

    def test_members_do_not_ask(self, school):
        membership = SchoolMembershipFactory(school=school)
        with pytest.raises(Conflict, match="already a member"):
            services.join_request_create(user=membership.user, school=school)

    def test_second_decision_sees_the_first(self, school):
        first = SchoolMembershipFactory(school=school, headteacher=True).user
        second = SchoolMembershipFactory(school=school, headteacher=True).user
        join_request = JoinRequestFactory(school=school)
        services.join_request_approve(actor=first, join_request_id=join_request.pk)
        with pytest.raises(InvalidTransition, match="already been approved"):
            services.join_request_decline(actor=second, join_request_id=join_request.pk, reason="No")
        assert SchoolMembership.objects.current().filter(user=join_request.user).count() == 1

    def test_programme_admin_decides_only_where_there_is_no_headteacher(self, admin, school):
        join_request = JoinRequestFactory(school=school)
        services.join_request_approve(actor=admin, join_request_id=join_request.pk)
        other = JoinRequestFactory(school=school)
        SchoolMembershipFactory(school=school, headteacher=True)
        with pytest.raises(PermissionDenied):
            services.join_request_approve(actor=admin, join_request_id=other.pk)


class TestProgrammeRoles:
    def test_allocator_with_bcus_and_all_london(self, admin):
        user = UserFactory()
        role = services.police_role_grant(actor=admin, user=user, kind="allocator", bcus=[bcu("central-east")])
        assert list(selectors.bcus_covered_by(user).values_list("slug", flat=True)) == ["central-east"]
        assert verbs(role) == ["police_role.granted"]
        london = UserFactory()
        services.police_role_grant(actor=admin, user=london, kind="allocator", all_london=True)
        assert selectors.bcus_covered_by(london).count() == 12

    def test_allocator_needs_a_scope(self, admin):
        with pytest.raises(DomainError) as exc:
            services.police_role_grant(actor=admin, user=UserFactory(), kind="allocator")
        assert exc.value.field == "bcus"

    def test_only_admins_grant(self, head):
        with pytest.raises(PermissionDenied):
            services.programme_role_grant(actor=head, user=UserFactory(), kind="toolkit_editor")

    def test_grant_end_and_grant_again(self, admin):
        user = UserFactory()
        role = services.programme_role_grant(actor=admin, user=user, kind="fulfilment_staff")
        with pytest.raises(Conflict):
            services.programme_role_grant(actor=admin, user=user, kind="fulfilment_staff")
        services.programme_role_end(actor=admin, role_id=role.pk, reason="Contract ended")
        assert "fulfilment_staff" not in selectors.user_role_names(User.objects.get(pk=user.pk))
        services.programme_role_grant(actor=admin, user=user, kind="fulfilment_staff")
        assert ProgrammeRole.objects.filter(user=user).count() == 2

    def test_police_role_end_needs_reason(self, admin):
        role = services.police_role_grant(actor=admin, user=UserFactory(), kind="officer")
        with pytest.raises(DomainError):
            services.police_role_end(actor=admin, role_id=role.pk, reason="")
        services.police_role_end(actor=admin, role_id=role.pk, reason="Moved team")
        assert PoliceRole.objects.get(pk=role.pk).ended_by == admin

    def test_nobody_gives_themselves_a_role(self, admin):
        for grant, kind in (
            (services.programme_role_grant, "stepping_stones_coordinator"),
            (services.police_role_grant, "officer"),
        ):
            with pytest.raises(DomainError, match="cannot give yourself a role") as refused:
                grant(actor=admin, user=admin, kind=kind)
            assert isinstance(refused.value, PermissionDenied)
        assert not ProgrammeRole.objects.filter(user=admin, kind="stepping_stones_coordinator").exists()
        assert not PoliceRole.objects.filter(user=admin).exists()

    def test_user_for_email_requires_an_account(self):
        with pytest.raises(DomainError, match="No account"):
            services.user_for_email("nobody@example.org")


class TestOrganisations:
    def test_register_verify_and_members_see_restricted_items(self, admin, run_on_commit):
        user = UserFactory()
        with run_on_commit():
            organisation = services.organisation_register(
                user=user, name="Hackney Youth", type="youth", borough=london_authority()
            )
        assert organisation.status == "pending" and mail.outbox[-1].to == [admin.email]
        assert roles.ORGANISATION_MEMBER not in selectors.user_role_names(user)
        with run_on_commit():
            services.organisation_verify(actor=admin, organisation_id=organisation.pk)
        assert roles.ORGANISATION_MEMBER in selectors.user_role_names(User.objects.get(pk=user.pk))
        assert mail.outbox[-1].to == [user.email]
        assert verbs(organisation) == ["organisation.registered", "organisation.verified"]

    def test_decline_needs_reason_and_is_final(self, admin):
        organisation = OrganisationFactory()
        with pytest.raises(DomainError):
            services.organisation_decline(actor=admin, organisation_id=organisation.pk, reason="")
        services.organisation_decline(actor=admin, organisation_id=organisation.pk, reason="Outside London")
        with pytest.raises(InvalidTransition):
            services.organisation_verify(actor=admin, organisation_id=organisation.pk)
        assert Organisation.objects.get(pk=organisation.pk).decline_reason == "Outside London"

    def test_non_admin_cannot_verify(self):
        organisation = OrganisationFactory()
        with pytest.raises(PermissionDenied):
            services.organisation_verify(actor=UserFactory(), organisation_id=organisation.pk)

    def test_borough_must_be_london(self):
        from schools.models import LocalAuthority

        outside = LocalAuthority.objects.create(code=999, name="Elsewhere", area="outside")
        with pytest.raises(DomainError) as exc:
            services.organisation_register(user=UserFactory(), name="X", type="faith", borough=outside)
        assert exc.value.field == "borough"
