"""The accounts workflows' ACTIONS: which actions each status opens to each role (organisations, join requests,
school and organisation invitations), and the pages offering exactly those."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, JoinRequest, Organisation, OrganisationInvitation
from core.workflow import open_actions

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationInvitationFactory,
    OrganisationMembershipFactory,
    SchoolFactory,
    UserFactory,
    headteacher_of,
    programme_admin,
    with_two_factor,
)

pytestmark = pytest.mark.django_db

ORGANISATION = {
    # status: {role: open actions}
    Organisation.Status.PENDING: {"admin": {"verify", "decline"}, "member": set(), "stranger": set()},
    Organisation.Status.VERIFIED: {"admin": {"invite"}, "member": {"invite"}, "stranger": set()},
    Organisation.Status.DECLINED: {"admin": set(), "member": set(), "stranger": set()},
}


@pytest.mark.parametrize("status", list(ORGANISATION))
def test_organisation_actions_by_status_and_role(status):
    organisation = OrganisationFactory(status=status, decline_reason="A reason")
    member = OrganisationMembershipFactory(organisation=organisation).user
    people = {"admin": programme_admin(), "member": member, "stranger": UserFactory()}
    for role, expected in ORGANISATION[status].items():
        assert set(open_actions(organisation, people[role])) == expected, (status, role)


def test_the_organisation_table_covers_every_status_and_action():
    assert set(ORGANISATION) == set(Organisation.Status.values)
    assert set().union(*(a for roles in ORGANISATION.values() for a in roles.values())) == set(Organisation.ACTIONS)


JOIN_REQUEST = {
    JoinRequest.Status.PENDING: {"head": {"approve", "decline"}, "asker": set(), "other_head": set()},
    JoinRequest.Status.APPROVED: {"head": set(), "asker": set(), "other_head": set()},
    JoinRequest.Status.DECLINED: {"head": set(), "asker": set(), "other_head": set()},
}


@pytest.mark.parametrize("status", list(JOIN_REQUEST))
def test_join_request_actions_by_status_and_role(status):
    school = SchoolFactory()
    join_request = JoinRequestFactory(school=school, status=status, reason="Not on our staff")
    people = {"head": headteacher_of(school), "asker": join_request.user, "other_head": headteacher_of()}
    for role, expected in JOIN_REQUEST[status].items():
        assert set(open_actions(join_request, people[role])) == expected, (status, role)


def _invitation(status, **kwargs):
    traits = {"pending": {}, "accepted": {"accepted_at": timezone.now()}, "revoked": {"revoked": True}}
    return InvitationFactory(**traits.get(status, {"expired": True}), **kwargs)


@pytest.mark.parametrize(
    ("status", "invitee", "admin"),
    [
        ("pending", {"accept"}, {"revoke"}),
        ("accepted", set(), set()),
        ("revoked", set(), set()),
        ("expired", set(), set()),
    ],
)
def test_school_invitation_actions_by_status_and_role(status, invitee, admin):
    invitation = _invitation(status, email="sam@example.org")
    assert invitation.status == status
    assert set(open_actions(invitation, UserFactory(email="Sam@example.org"))) == invitee
    assert set(open_actions(invitation, programme_admin())) == admin
    assert open_actions(invitation, UserFactory()) == {}


def test_a_headteacher_revokes_only_staff_invitations_of_their_school():
    school = SchoolFactory()
    head = headteacher_of(school)
    assert set(open_actions(InvitationFactory(school=school, staff=True), head)) == {"revoke"}
    assert open_actions(InvitationFactory(school=school), head) == {}  # a headteacher invitation


def test_every_invitation_status_has_a_tag_and_the_tables_cover_the_actions():
    assert set(Invitation.TAG_COLOURS) == set(Invitation.Status.values)
    assert set(Invitation.ACTIONS) == {"accept", "revoke"}
    assert set(OrganisationInvitation.ACTIONS) == {"accept"}


@pytest.mark.parametrize(("expired", "offered"), [(False, True), (True, False)])
def test_the_organisation_invitation_page_offers_accepting_only_while_it_waits(client, expired, offered):
    invitee = UserFactory(email="kim@example.org")
    invitation = OrganisationInvitationFactory(token="tok-" + "x" * 40, email=invitee.email, expired=expired)
    assert bool(open_actions(invitation, invitee)) == offered
    client.force_login(invitee)
    body = client.get(reverse("accounts:organisation_invitation_accept", kwargs={"token": "tok-" + "x" * 40}))
    assert ("Accept invitation" in body.content.decode()) == offered


def test_the_join_request_page_offers_the_decision_only_while_it_waits(client):
    school = SchoolFactory()
    client.force_login(with_two_factor(headteacher_of(school)))  # headteachers reach pages with two-factor only
    waiting, declined = JoinRequestFactory(school=school), JoinRequestFactory(school=school, declined=True)
    for join_request, offered in [(waiting, True), (declined, False)]:
        body = client.get(reverse("accounts:join_request_decide", kwargs={"pk": join_request.pk})).content.decode()
        assert ("Save decision" in body) == offered
