"""Selectors: role names, scoping querysets, summaries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import roles, selectors
from accounts.models import User

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    bcu,
)

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (role names are cached per request on the user object)."""
    return User.objects.get(pk=user.pk)


class TestUserRoleNames:
    def test_every_kind_of_record_maps_to_the_product_names(self):
        user = UserFactory()
        membership = SchoolMembershipFactory(user=user)
        SchoolDutyFactory(membership=membership, stepping_stones_lead=True)
        SchoolDutyFactory(membership=membership)  # wand requests is a duty, not a role
        SchoolMembershipFactory(user=user, headteacher=True)
        PoliceRoleFactory(user=user, allocator=True, bcus=[bcu()])
        PoliceRoleFactory(user=user)
        for kind in ("programme_admin", "stepping_stones_coordinator", "toolkit_editor", "fulfilment_staff"):
            ProgrammeRoleFactory(user=user, kind=kind)
        OrganisationMembershipFactory(user=user)
        assert selectors.user_role_names(user) == set(roles.ROLES)

    def test_ended_records_and_unverified_organisations_give_no_role(self):
        user = UserFactory()
        SchoolMembershipFactory(user=user, ended=True)
        OrganisationMembershipFactory(user=user, organisation=OrganisationFactory())
        ProgrammeRoleFactory(user=user, ended_at=timezone.now())
        assert selectors.user_role_names(user) == set()

    def test_duty_of_an_ended_membership_gives_no_role(self):
        duty = SchoolDutyFactory(stepping_stones_lead=True)
        membership = duty.membership
        membership.ended_at = timezone.now()
        membership.save()
        assert selectors.user_role_names(fresh(membership.user)) == set()

    def test_anonymous_and_inactive_have_none(self):
        assert selectors.user_role_names(AnonymousUser()) == set()
        assert selectors.user_role_names(None) == set()
        user = SchoolMembershipFactory(headteacher=True, user=UserFactory(is_active=False)).user
        assert selectors.user_role_names(user) == set()

    def test_one_query_and_cached_per_request(self, django_assert_num_queries):
        user = fresh(SchoolMembershipFactory(headteacher=True).user)
        with django_assert_num_queries(1):
            selectors.user_role_names(user)
            selectors.user_role_names(user)
            selectors.user_requires_mfa(user)

    def test_a_removed_role_is_gone_on_the_next_request(self):
        membership = SchoolMembershipFactory(headteacher=True)
        assert "headteacher" in selectors.user_role_names(fresh(membership.user))
        membership.ended_at = timezone.now()
        membership.save()
        assert selectors.user_role_names(fresh(membership.user)) == set()


@pytest.mark.parametrize(
    "role, requires",
    [
        ("headteacher", True),
        ("school_staff", False),
        ("stepping_stones_lead", True),
        ("police_allocator", True),
        ("police_officer", True),
        ("programme_admin", True),
        ("stepping_stones_coordinator", True),
        ("toolkit_editor", True),
        ("fulfilment_staff", True),
        ("organisation_member", False),
    ],
)
def test_mfa_required_roles(role, requires):
    assert (role in roles.MFA_REQUIRED_ROLES) is requires
    from accounts.access_matrix import ROLE_BUILDERS

    assert selectors.user_requires_mfa(ROLE_BUILDERS[role]()) is requires


class TestSchoolsActingFor:
    def test_headteachers_hold_every_duty_staff_only_theirs(self):
        school, other = SchoolFactory(), SchoolFactory()
        head = SchoolMembershipFactory(school=school, headteacher=True).user
        staff = SchoolMembershipFactory(school=other)
        SchoolDutyFactory(membership=staff, duty="wand_requests")
        assert list(selectors.schools_acting_for(head, duty="stepping_stones_lead")) == [school]
        assert list(selectors.schools_acting_for(staff.user)) == [other]
        assert list(selectors.schools_acting_for(staff.user, duty="wand_requests")) == [other]
        assert not selectors.schools_acting_for(staff.user, duty="stepping_stones_lead").exists()
        assert not selectors.schools_acting_for(AnonymousUser()).exists()

    def test_ended_duty_or_membership_no_longer_counts(self):
        duty = SchoolDutyFactory(ended_at=timezone.now())
        assert not selectors.schools_acting_for(duty.membership.user, duty="wand_requests").exists()
        ended = SchoolMembershipFactory(ended=True)
        assert not selectors.schools_acting_for(ended.user).exists()


class TestBcusCoveredBy:
    def test_scope(self):
        allocator = PoliceRoleFactory(allocator=True, bcus=[bcu("central-east"), bcu("central-north")]).user
        assert set(selectors.bcus_covered_by(allocator).values_list("slug", flat=True)) == {
            "central-east",
            "central-north",
        }
        london = PoliceRoleFactory(all_london_allocator=True).user
        assert selectors.bcus_covered_by(london).count() == 12
        officer = PoliceRoleFactory().user
        assert not selectors.bcus_covered_by(officer).exists()


class TestScopedLists:
    def test_invitations_visible_to(self, head, school, admin):
        mine = InvitationFactory(school=school, staff=True)
        other = InvitationFactory()
        to_me = InvitationFactory(email=UserFactory(email="me@example.org").email)
        me = User.objects.get(email="me@example.org")
        assert set(selectors.invitations_visible_to(head)) == {mine}
        assert set(selectors.invitations_visible_to(admin)) == {mine, other, to_me}
        assert set(selectors.invitations_visible_to(me)) == {to_me}
        assert set(selectors.invitations_pending_for(me)) == {to_me}

    def test_join_requests_visible_to(self, head, school, admin):
        at_school = JoinRequestFactory(school=school)
        elsewhere = JoinRequestFactory()
        assert set(selectors.join_requests_visible_to(head)) == {at_school}
        assert set(selectors.join_requests_visible_to(at_school.user)) == {at_school}
        assert set(selectors.join_requests_visible_to(admin)) == {at_school, elsewhere}

    def test_organisations_visible_to(self, admin):
        membership = OrganisationMembershipFactory()
        other = OrganisationFactory()
        assert set(selectors.organisations_visible_to(membership.user)) == {membership.organisation}
        assert set(selectors.organisations_visible_to(other.registered_by)) == {other}
        assert set(selectors.organisations_visible_to(admin)) == {membership.organisation, other}
        assert set(selectors.organisations_of(membership.user)) == {membership.organisation}

    def test_memberships_of_school_is_for_its_headteacher_and_admins(self, head, school, admin):
        staff = SchoolMembershipFactory(school=school)
        assert set(selectors.memberships_of_school(school=school, actor=head)) == {staff, head.school_memberships.get()}
        assert selectors.memberships_of_school(school=school, actor=admin).count() == 2
        assert not selectors.memberships_of_school(school=school, actor=staff.user).exists()
        assert selectors.membership_get(membership_id=staff.pk, actor=staff.user) is None


class TestSummary:
    def test_summary_says_where_who_when_and_review_due(self, admin):
        user = UserFactory()
        granted = timezone.now() - timedelta(days=10)
        membership = SchoolMembershipFactory(user=user, headteacher=True, granted_by=admin, granted_at=granted)
        SchoolDutyFactory(membership=membership, stepping_stones_lead=True, granted_at=granted)
        PoliceRoleFactory(user=user, allocator=True, bcus=[bcu()])
        rows = {row["role"]: row for row in selectors.user_roles_summary(user)}
        assert rows["headteacher"]["where"] == membership.school.name
        assert rows["headteacher"]["granted_by"] == admin.email
        assert rows["headteacher"]["review_due"] is None
        assert rows["stepping_stones_lead"]["review_due"] == granted + timedelta(days=roles.REVIEW_PERIOD_DAYS)
        assert rows["police_allocator"]["where"] == "Central East"
        assert selectors.user_roles_summary(AnonymousUser()) == []
