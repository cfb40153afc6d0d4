"""The insights pages' cached fragments (core.fragments): a second view runs fewer queries and shows the same page, and
a real change (through a service, or a row written as the programmes write it) shows at once on the next view; the
cached part is never shared between people who see different things (scope, suppression, view as).

Transactional tests: an ordinary test's open transaction has written every table, so nothing would be stored."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SchoolMembership
from officers import services as officer_services
from officers.models import Assignment
from tests.accounts.factories import SchoolMembershipFactory, with_two_factor
from tests.officers.factories import AssignmentFactory, OfficerFactory
from tests.wands.factories import WandRequestFactory

from .conftest import download, places, school_in

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = reverse("insights:dashboard")
FIND = reverse("insights:school_find")
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def profile_url(school):
    return reverse("insights:school_profile", kwargs={"urn": school.pk})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client, url, data=None):
    """(response, its HTML without what belongs to one response, the number of queries)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, response.status_code
    return response, PER_RESPONSE.sub("", response.content.decode()), len(queries)


def cell(html: str, table_id: str, la_code: int, column: int) -> str:
    """The text of one numeric cell of a borough's row (column 0: the first after the borough's name)."""
    table = html[html.index(f'id="{table_id}"') :]
    row = table[table.index(f'data-la-code="{la_code}"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)
    return re.sub(r"<[^>]+>", "", cells[column]).strip()


class TestDashboard:
    def test_a_second_view_is_cheaper_and_the_same(self, admin, cohort, resource_version):
        hackney = school_in(204)
        WandRequestFactory(school=hackney, delivered=True, quantity=4)
        client = client_for(admin)
        _, first, cold = get(client, DASHBOARD)
        _, second, warm = get(client, DASHBOARD)
        assert warm < cold
        assert second == first
        _, other_measure, _ = get(client, DASHBOARD, {"measure": "officer_cover_percent"})
        assert "London map: Open schools with a named police contact (%)" in other_measure  # the query string: a key

    def test_an_officer_ended_through_the_service_shows_at_once(self, admin, central_east_allocator):
        hackney = [school_in(204), school_in(204)]
        assignment = AssignmentFactory(school=hackney[0], officer=OfficerFactory(bcu=hackney[0].local_authority.bcu))
        client = client_for(admin)
        _, html, _ = get(client, DASHBOARD)
        assert cell(html, "borough-table", 204, 3) == "1 (50.0%)"
        get(client, DASHBOARD)  # from the cache
        officer_services.assignment_end(actor=central_east_allocator, assignment_id=assignment.pk, reason="Moved on")
        assert Assignment.objects.get(pk=assignment.pk).end_date is not None
        _, html, _ = get(client, DASHBOARD)
        assert cell(html, "borough-table", 204, 3) == "0 (0.0%)"

    def test_new_wands_downloads_and_places_show_at_once(self, admin, cohort, resource_version):
        hackney = school_in(204)
        client = client_for(admin)
        _, html, _ = get(client, DASHBOARD)
        assert cell(html, "borough-table", 204, 2) == "0"
        assert cell(html, "borough-table", 204, 5) == "0"
        WandRequestFactory(school=hackney, delivered=True, quantity=7)
        download(resource_version, borough=hackney.local_authority)
        places(cohort, hackney, places=30, taken=12)
        _, html, _ = get(client, DASHBOARD)
        assert cell(html, "borough-table", 204, 2) == "7"
        assert cell(html, "borough-table", 204, 5) == "1"
        assert cell(html, "borough-table", 204, 4) == "10 / 30"  # 12 pupils, rounded for a programme admin

    def test_each_person_sees_their_own_figures(self, admin, coordinator, central_east_allocator, cohort):
        hackney = school_in(204)
        places(cohort, hackney, places=30, taken=3)
        _, admin_html, _ = get(client_for(admin), DASHBOARD)
        assert cell(admin_html, "borough-table", 204, 4) == "fewer than 5 / 30"
        _, coordinator_html, _ = get(client_for(coordinator), DASHBOARD)
        assert cell(coordinator_html, "borough-table", 204, 4) == "3 / 30"  # not the admin's cached figures
        _, allocator_html, _ = get(client_for(central_east_allocator), DASHBOARD)
        assert 'data-la-code="202"' not in allocator_html.split('id="borough-table"')[1]  # Camden: another BCU
        assert "All of London" not in allocator_html

    def test_a_role_removed_closes_the_dashboard(self, central_east_allocator):
        client = client_for(central_east_allocator)
        get(client, DASHBOARD)
        central_east_allocator.police_roles.update(ended_at=timezone.now())
        assert client.get(DASHBOARD).status_code == 403


class TestSchoolProfile:
    def test_a_second_view_is_cheaper_and_the_same_and_each_school_has_its_own(self, admin):
        school, other = school_in(204, name="Clapton Girls' Academy"), school_in(204, name="Mossbourne")
        WandRequestFactory(school=school, delivered=True, quantity=3)
        client = client_for(admin)
        _, first, cold = get(client, profile_url(school))
        _, second, warm = get(client, profile_url(school))
        assert warm < cold
        assert second == first
        _, other_html, _ = get(client, profile_url(other))
        assert "Mossbourne" in other_html and "This school has not requested wands." in other_html

    def test_a_new_request_an_officer_and_a_download_show_at_once(self, admin, resource_version):
        school = school_in(204)
        staff = SchoolMembershipFactory(school=school).user
        client = client_for(admin)
        _, html, _ = get(client, profile_url(school))
        assert "This school has not requested wands." in html
        assert "This school has no named police contact at the moment." in html
        assert "0 in the last 12 months, 0 in all" in html
        wand_request = WandRequestFactory(school=school, quantity=6)
        AssignmentFactory(school=school, officer=OfficerFactory(name="Sam Beat"))
        download(resource_version, user=staff)
        _, html, _ = get(client, profile_url(school))
        assert wand_request.reference in html
        assert "Sam Beat" in html
        assert "1 in the last 12 months, 1 in all" in html

    def test_staff_who_leave_stop_counting_and_lose_the_profile(self, admin, resource_version):
        school = school_in(204)
        membership = SchoolMembershipFactory(school=school)
        with_two_factor(membership.user)
        download(resource_version, user=membership.user)
        admin_client, staff_client = client_for(admin), client_for(membership.user)
        assert "1 in the last 12 months, 1 in all" in get(admin_client, profile_url(school))[1]
        get(staff_client, profile_url(school))
        SchoolMembership.objects.filter(pk=membership.pk).update(ended_at="2026-01-01T00:00:00Z")
        assert "0 in the last 12 months, 0 in all" in get(admin_client, profile_url(school))[1]
        assert staff_client.get(profile_url(school)).status_code == 404


class TestFindAProfile:
    def test_own_schools_are_cached_and_follow_a_new_membership(self):
        school = school_in(204, name="Clapton Girls' Academy")
        membership = SchoolMembershipFactory(school=school)
        user = with_two_factor(membership.user)
        client = client_for(user)
        _, first, cold = get(client, FIND)
        _, second, warm = get(client, FIND)
        assert warm < cold and second == first
        assert "Clapton Girls&#x27; Academy" in first
        SchoolMembershipFactory(user=user, school=school_in(204, name="Mossbourne"))
        assert "Mossbourne" in get(client, FIND)[1]
        SchoolMembership.objects.filter(pk=membership.pk).update(ended_at="2026-01-01T00:00:00Z")
        assert "Clapton" not in get(client, FIND)[1]

    def test_search_results_are_cached_per_person_and_follow_the_register_and_roles(
        self, admin, central_east_allocator
    ):
        school_in(204, name="Clapton Girls' Academy")
        client = client_for(admin)
        _, first, cold = get(client, FIND, {"q": "clapton"})
        _, second, warm = get(client, FIND, {"q": "clapton"})
        assert warm < cold and second == first
        assert "1 school matches ‘clapton’" in first
        school_in(202, name="Clapton Park School")  # Camden: a new school in the register shows at once
        assert "2 schools match ‘clapton’" in get(client, FIND, {"q": "clapton"})[1]
        allocator_client = client_for(central_east_allocator)  # the same query string: their own schools only
        _, allocator_html, _ = get(allocator_client, FIND, {"q": "clapton"})
        assert "1 school matches ‘clapton’" in allocator_html and "Clapton Park" not in allocator_html
        central_east_allocator.police_roles.update(ended_at=timezone.now())
        assert "No schools match ‘clapton’" in get(allocator_client, FIND, {"q": "clapton"})[1]
