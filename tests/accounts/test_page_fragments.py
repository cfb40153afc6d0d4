"""The cached parts of the people and roles pages (core.fragments): a second visit reads less and shows the same page,
and a change made through the service or the pages shows on the next visit, at once. These are security pages: a role
ended or a person removed must not linger in a cached copy.

`transaction=True`: in an ordinary test every table the test wrote counts as written by the open transaction, and
nothing that shows it is cached (see tests/core/test_fragments.py)."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import JoinRequest, PoliceRole, ProgrammeRole, SchoolDuty

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
    headteacher_of,
    programme_admin,
    with_two_factor,
)

pytestmark = pytest.mark.django_db(transaction=True)


def visit(client, url):
    """The page and the number of queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), len(queries)


def main(page: str) -> str:
    """The page's main content (outside it, the CSP nonce and CSRF token differ on every response)."""
    return page[page.index("<main") : page.index("</main>")]


def cached_twice(client, url):
    """Two visits: the second reads less and shows exactly the same page."""
    first, first_queries = visit(client, url)
    second, second_queries = visit(client, url)
    assert main(second) == main(first)
    assert second_queries < first_queries, (first_queries, second_queries)
    return second


@pytest.fixture
def admin(client):
    user = with_two_factor(programme_admin(email="admin@example.org", full_name="Pat Admin"))
    client.force_login(user)
    return user


@pytest.fixture
def school():
    return SchoolFactory(name="Elm Primary")


@pytest.fixture
def head(client, school):
    user = with_two_factor(headteacher_of(school, email="head@example.org", full_name="Hana Head"))
    client.force_login(user)
    return user


class TestProgrammeAndPoliceRoles:
    url = "/roles/"

    def test_an_ended_police_role_disappears_at_once(self, client, admin):
        role = PoliceRoleFactory(user=UserFactory(email="officer@example.org"))
        assert "officer@example.org" in cached_twice(client, self.url)
        response = client.post(reverse("accounts:police_role_end", args=[role.pk]), {"reason": "Left the force"})
        assert response.status_code == 302
        page, _ = visit(client, self.url)
        assert "officer@example.org is no longer a police officer" in page  # the message, once
        assert "officer@example.org" not in page.split("govuk-notification-banner__heading", 1)[1].split("</p>", 1)[1]

    def test_an_ended_programme_role_disappears_at_once_and_a_granted_one_appears(self, client, admin):
        role = ProgrammeRoleFactory(user=UserFactory(email="coord@example.org"), kind=ProgrammeRole.Kind.TOOLKIT_EDITOR)
        assert "coord@example.org" in cached_twice(client, self.url)
        services.programme_role_end(actor=admin, role_id=role.pk, reason="Moved on")
        assert "coord@example.org" not in visit(client, self.url)[0]
        newcomer = UserFactory(email="new@example.org")
        services.programme_role_grant(actor=admin, user=newcomer, kind=ProgrammeRole.Kind.FULFILMENT_STAFF)
        assert "new@example.org" in visit(client, self.url)[0]

    def test_the_admins_own_role_ended_closes_the_page(self, client, admin):
        cached_twice(client, self.url)
        other = programme_admin(email="other-admin@example.org")
        own = ProgrammeRole.objects.current().get(user=admin)
        services.programme_role_end(actor=other, role_id=own.pk, reason="Left the VRU")
        assert client.get(self.url).status_code == 403


class TestAccessReviews:
    url = "/access-reviews/"

    def test_an_ended_role_disappears_and_a_confirmed_one_shows_its_date(self, client, admin):
        leaving = PoliceRoleFactory(user=UserFactory(email="leaving@example.org"))
        staying = PoliceRoleFactory(user=UserFactory(email="staying@example.org"))
        PoliceRole.objects.filter(pk=staying.pk).update(granted_at=timezone.now() - timedelta(days=100))
        page = cached_twice(client, self.url)
        assert "leaving@example.org" in page and "staying@example.org" in page
        services.police_role_end(actor=admin, role_id=leaving.pk, reason="Left")
        page, _ = visit(client, self.url)
        assert "leaving@example.org" not in page
        confirm = client.post(reverse("accounts:role_confirm", args=["police", staying.pk]))
        assert confirm.status_code == 302
        staying.refresh_from_db()
        assert staying.confirmed_at is not None
        page, _ = visit(client, self.url)
        assert f"{staying.confirmed_at:%-d %b %Y}" in page
        assert "Never (granted" not in page.split("staying@example.org")[1].split("</tr>")[0]

    def test_a_headteachers_lead_removed_disappears(self, client, school, head):
        lead = SchoolDutyFactory(
            membership=SchoolMembershipFactory(school=school, user=UserFactory(email="lead@example.org")),
            stepping_stones_lead=True,
        )
        assert "lead@example.org" in cached_twice(client, self.url)
        services.duty_remove(actor=head, duty_id=lead.pk, reason="No longer the lead")
        assert not SchoolDuty.objects.current().filter(pk=lead.pk).exists()
        assert "lead@example.org" not in visit(client, self.url)[0]


class TestSchoolPeople:
    def url(self, school):
        return f"/schools/{school.urn}/people/"

    def test_an_ended_membership_disappears_at_once(self, client, school, head):
        member = SchoolMembershipFactory(school=school, user=UserFactory(email="teacher@example.org"))
        assert "teacher@example.org" in cached_twice(client, self.url(school))
        response = client.post(reverse("accounts:membership_end", args=[member.pk]), {"reason": "Left the school"})
        assert response.status_code == 302
        assert "teacher@example.org" not in visit(client, self.url(school))[0]

    def test_a_join_request_and_an_invitation_show_at_once(self, client, school, head):
        cached_twice(client, self.url(school))
        asking = UserFactory(email="asking@example.org", full_name="Ada Asking")
        services.join_request_create(user=asking, school=school, message="I teach year 5")
        page, _ = visit(client, self.url(school))
        assert "asking@example.org" in page and "I teach year 5" in page
        InvitationFactory(school=school, email="invited@example.org", invited_by=head, staff=True)
        assert "invited@example.org" in visit(client, self.url(school))[0]

    def test_each_school_has_its_own(self, client, admin, school):
        other = SchoolFactory(name="Oak Secondary")
        SchoolMembershipFactory(school=school, user=UserFactory(email="elm@example.org"))
        SchoolMembershipFactory(school=other, user=UserFactory(email="oak@example.org"))
        first = cached_twice(client, self.url(school))
        second, _ = visit(client, self.url(other))
        assert "elm@example.org" in first and "oak@example.org" not in first
        assert "oak@example.org" in second and "elm@example.org" not in second

    def test_an_invitation_that_expires_during_the_day_goes_without_a_write(self, client, school, head):
        invitation = InvitationFactory(school=school, email="soon@example.org", invited_by=head, staff=True)
        type(invitation).objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(seconds=1))
        assert "soon@example.org" in visit(client, self.url(school))[0]
        time.sleep(1.1)  # no write: time alone passes
        assert "soon@example.org" not in visit(client, self.url(school))[0]


class TestMySchools:
    url = "/my-schools/"

    def test_a_new_duty_organisation_and_ended_membership_show_at_once(self, client, school):
        teacher = UserFactory(email="teacher@example.org")
        membership = SchoolMembershipFactory(school=school, user=teacher)
        client.force_login(teacher)
        page = cached_twice(client, self.url)
        assert "Elm Primary" in page
        SchoolDutyFactory(membership=membership, duty=SchoolDuty.Duty.WAND_REQUESTS)
        page, _ = visit(client, self.url)
        assert SchoolDuty.Duty.WAND_REQUESTS.label in page
        OrganisationMembershipFactory(organisation=OrganisationFactory(name="Youth Club"), user=teacher)
        assert "Youth Club" in visit(client, self.url)[0]
        head = headteacher_of(school)
        services.membership_end(actor=head, membership_id=membership.pk, reason="Left")
        page, _ = visit(client, self.url)
        assert "You are not a member of any school yet." in page

    def test_a_decided_join_request_shows_its_status(self, client, school):
        head = headteacher_of(school)
        asking = UserFactory(email="asking@example.org")
        client.force_login(asking)
        join_request = JoinRequestFactory(user=asking, school=school)
        page = cached_twice(client, self.url)
        assert JoinRequest.Status.PENDING.label in page
        services.join_request_decline(actor=head, join_request_id=join_request.pk, reason="Not on our staff")
        page, _ = visit(client, self.url)
        assert "Not on our staff" in page

    def test_an_invitation_that_expires_during_the_day_goes_without_a_write(self, client, school):
        invited = UserFactory(email="invited@example.org")
        client.force_login(invited)
        invitation = InvitationFactory(school=school, email="invited@example.org")
        type(invitation).objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(seconds=1))
        assert "Invitations waiting for you" in visit(client, self.url)[0]
        time.sleep(1.1)  # no write: time alone passes
        assert "Invitations waiting for you" not in visit(client, self.url)[0]


class TestSchoolsWithoutHeadteacher:
    url = "/schools-without-headteacher/"

    def test_a_school_that_gets_a_headteacher_leaves_the_list(self, client, admin):
        school = SchoolFactory(name="Headless Academy")
        SchoolMembershipFactory(school=school)
        assert "Headless Academy" in cached_twice(client, self.url)
        SchoolMembershipFactory(school=school, headteacher=True)
        assert "Headless Academy" not in visit(client, self.url)[0]

    def test_a_headteacher_leaving_puts_the_school_on_the_list(self, client, admin, school):
        head = headteacher_of(school)
        SchoolMembershipFactory(school=school)
        assert "Elm Primary" not in cached_twice(client, self.url)
        services.membership_end(
            actor=admin, membership_id=head.school_memberships.get(school=school).pk, reason="Retired"
        )
        assert "Elm Primary" in visit(client, self.url)[0]
