"""Permission predicates: the right answer for each role, and never an exception."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    PoliceRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PREDICATES_WITH_ONE_OBJECT = [
    permissions.is_headteacher_of,
    permissions.can_view_school_members,
    permissions.can_manage_school_members,
    permissions.can_invite_staff,
    permissions.can_manage_duties,
    permissions.can_end_membership,
    permissions.can_decide_join_request,
    permissions.can_request_to_join,
    permissions.can_revoke_invitation,
    permissions.can_end_role,
    permissions.can_reset_two_factor,
    permissions.can_confirm_role,
]
PREDICATES_WITHOUT_OBJECT = [
    permissions.is_programme_admin,
    permissions.can_invite_headteacher,
    permissions.can_grant_programme_roles,
    permissions.can_verify_organisation,
    permissions.can_register_organisation,
    permissions.can_review_access,
]


@pytest.mark.parametrize("predicate", PREDICATES_WITH_ONE_OBJECT)
@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_never_raises_for_anyone_or_anything(predicate, user, head):
    assert predicate(user, None) is False
    assert predicate(user, object()) is False
    assert predicate(head, None) is False
    assert predicate(head, object()) is False
    assert predicate(head, "not a model") is False


@pytest.mark.parametrize("predicate", PREDICATES_WITHOUT_OBJECT)
def test_no_object_predicates_refuse_anonymous(predicate):
    assert predicate(AnonymousUser()) is False
    assert predicate(None) is False


def test_school_predicates(head, school, admin):
    staff = SchoolMembershipFactory(school=school)
    assert permissions.can_manage_school_members(head, school)
    assert not permissions.can_manage_school_members(admin, school)
    assert permissions.can_view_school_members(admin, school)
    assert not permissions.can_view_school_members(staff.user, school)
    assert permissions.can_manage_duties(head, staff)
    assert not permissions.can_manage_duties(staff.user, staff)
    assert permissions.can_end_membership(admin, staff)
    assert not permissions.can_manage_school_members(head, SchoolFactory())


def test_closed_school(head, school):
    closed = SchoolFactory(closed=True)
    assert not permissions.can_request_to_join(UserFactory(), closed)
    assert permissions.can_request_to_join(UserFactory(), school)


def test_join_request_decision(head, school, admin):
    join_request = JoinRequestFactory(school=school)
    assert permissions.can_decide_join_request(head, join_request)
    assert not permissions.can_decide_join_request(admin, join_request)
    assert not permissions.can_decide_join_request(join_request.user, join_request)
    headless = JoinRequestFactory()
    assert permissions.can_decide_join_request(admin, headless)


def test_revoke_invitation(head, school, admin):
    staff_invitation = InvitationFactory(school=school, staff=True)
    head_invitation = InvitationFactory(school=school)
    assert permissions.can_revoke_invitation(head, staff_invitation)
    assert not permissions.can_revoke_invitation(head, head_invitation)
    assert permissions.can_revoke_invitation(admin, head_invitation)


def test_reset_two_factor_is_for_admins_on_others(admin, head):
    assert permissions.can_reset_two_factor(admin, head)
    assert not permissions.can_reset_two_factor(admin, admin)
    assert not permissions.can_reset_two_factor(head, admin)


def test_confirm_role(admin, head, school):
    duty = SchoolDutyFactory(membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True)
    police = PoliceRoleFactory()
    assert permissions.can_confirm_role(head, duty)
    assert not permissions.can_confirm_role(admin, duty)
    assert permissions.can_confirm_role(admin, police)
    assert not permissions.can_confirm_role(admin, admin.programme_roles.get())
    assert not permissions.can_confirm_role(head, police)


def test_inactive_user_may_do_nothing(school):
    membership = SchoolMembershipFactory(school=school, headteacher=True, user=UserFactory(is_active=False))
    assert not permissions.can_manage_school_members(membership.user, school)
