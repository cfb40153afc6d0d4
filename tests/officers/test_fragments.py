"""The officers pages' cached fragments (core.fragments): the second view of the queue, the officers list, the
coverage and a headteacher's named officer runs fewer queries and shows the same page, and every real change through
the pages or the services (an assignment made or ended, a request, an officer added, changed or ended, another
programme's activity, the allocator's BCUs, a new day) shows on the next view."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SchoolMembership
from officers import services
from officers.models import Officer, OfficerRequest
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory, london_authority

from .factories import AssignmentFactory, OfficerFactory, allocator, bcu

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = reverse("officers:queue")
PEOPLE = reverse("officers:officer_list")
COVERAGE = reverse("officers:coverage")
NAMED = reverse("officers:named_officer")


def main(response) -> str:
    """The page's main element: what the fragment is part of (the header holds the sign-out form's CSRF token)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def view(client, url, params=None) -> tuple[str, int]:
    """(the main element, how many queries the view ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return main(response), len(queries)


def assert_cached(client, url, params=None) -> str:
    """Viewed twice: the second from the cache (fewer queries), showing the same."""
    first, cold = view(client, url, params)
    second, warm = view(client, url, params)
    assert warm < cold, (cold, warm)
    assert second == first
    return second


def queue_row(html: str, school) -> str:
    """The queue's row of `school` ('' when it is not in the queue)."""
    match = re.search(
        rf'<tr class="govuk-table__row">\s*<th[^>]*><a[^>]*>{re.escape(school.name)}</a>.*?</tr>', html, re.S
    )
    return match.group(0) if match else ""


@pytest.fixture
def signed_in(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


# --- the queue ----------------------------------------------------------------------------------------------------


def test_queue_is_cached_and_leaves_a_school_once_it_is_assigned(signed_in, alloc, school, near):
    waiting = SchoolFactory(name="Still Waiting School")
    client = signed_in(alloc)
    html = assert_cached(client, QUEUE)
    assert queue_row(html, school) and queue_row(html, waiting)
    assert "2 schools in the queue" in html

    response = client.post(reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk})
    assert response.status_code == 302
    html, _ = view(client, QUEUE)
    assert not queue_row(html, school) and queue_row(html, waiting)
    assert "1 school in the queue" in html


def test_queue_takes_a_school_back_when_its_officer_ends(signed_in, alloc, school, near):
    AssignmentFactory(school=school, officer=near)
    client = signed_in(alloc)
    assert not queue_row(assert_cached(client, QUEUE), school)
    response = client.post(reverse("officers:assignment_end", kwargs={"urn": school.pk}), {"reason": "Moved on"})
    assert response.status_code == 302
    assert queue_row(view(client, QUEUE)[0], school)


def test_queue_shows_a_headteachers_request(signed_in, client, alloc, head, school, near):
    AssignmentFactory(school=school, officer=near)
    assert not queue_row(assert_cached(signed_in(alloc), QUEUE), school)
    response = signed_in(head).post(
        reverse("officers:request_officer", kwargs={"urn": school.pk}), {"kind": "change", "reason": "Never visits"}
    )
    assert response.status_code == 302
    html, _ = view(signed_in(alloc), QUEUE)
    assert "Asks for a change" in queue_row(html, school)
    assert "1 asked for by the headteacher." in html


def test_queue_shows_other_programmes_activity_as_it_changes(signed_in, alloc, school):
    from education_toolkit.models import Download
    from tests.education_toolkit.factories import ResourceFactory, with_file
    from tests.wands.factories import WandRequestFactory

    client = signed_in(alloc)
    assert "None" in queue_row(assert_cached(client, QUEUE), school)

    WandRequestFactory(school=school)  # submitted: open
    assert "Open wand requests: 1" in queue_row(view(client, QUEUE)[0], school)

    staff = SchoolMembershipFactory(school=school)
    resource = ResourceFactory()
    file = with_file(resource)
    Download.objects.create(
        resource=resource, version=file.current_version, user=staff.user, organisation_type="school"
    )
    downloads = "Toolkit downloads by staff, last 12 months: 1"
    assert downloads in queue_row(view(client, QUEUE)[0], school)
    # The download counts for the school while its downloader is on the staff (their membership: accounts).
    SchoolMembership.objects.filter(pk=staff.pk).update(ended_at=timezone.now())
    assert downloads not in queue_row(view(client, QUEUE)[0], school)


def test_queue_days_waiting_move_with_the_day(signed_in, alloc, school, monkeypatch):
    client = signed_in(alloc)
    today = assert_cached(client, QUEUE)
    days = int(re.findall(r"numeric\">(-?\d+)</td>", queue_row(today, school))[-1])
    real = timezone.localdate

    def tomorrow(value=None, timezone=None):
        return real(value, timezone) if value is not None else real() + datetime.timedelta(days=1)

    monkeypatch.setattr("django.utils.timezone.localdate", tomorrow)
    later = view(client, QUEUE)[0]
    assert int(re.findall(r"numeric\">(-?\d+)</td>", queue_row(later, school))[-1]) == days + 1


def test_queue_filter_and_sort_travel_in_the_query_string(signed_in, reference_data):
    both = allocator("central-east", "north-east")
    east = SchoolFactory(name="B East School")  # Hackney: Central East
    north_east = SchoolFactory(name="A North East School", local_authority=london_authority(320))  # Waltham Forest
    assert north_east.local_authority.bcu.slug == "north-east"
    client = signed_in(both)
    everything = assert_cached(client, QUEUE)
    assert queue_row(everything, east) and queue_row(everything, north_east)

    only_east = assert_cached(client, QUEUE, {"bcu": bcu("central-east").pk})
    assert queue_row(only_east, east) and not queue_row(only_east, north_east)
    assert f"?bcu={bcu('central-east').pk}" in queue_row(only_east, east)  # the school's link keeps the filter

    by_name = assert_cached(client, QUEUE, {"sort": "name"})
    assert by_name.index("A North East School") < by_name.index("B East School")
    assert "sort=name" in queue_row(by_name, east)
    assert view(client, QUEUE)[0] == everything


def test_queue_follows_the_allocators_bcus_and_is_their_own(signed_in, client, reference_data):
    east_allocator = allocator("central-east")
    south_allocator = allocator("south-west")
    school = SchoolFactory(name="Hackney Waiting School")
    assert queue_row(assert_cached(signed_in(east_allocator), QUEUE), school)
    assert not queue_row(view(signed_in(south_allocator), QUEUE)[0], school)

    role = east_allocator.police_roles.get()
    role.bcus.set([bcu("south-west")])  # their BCUs changed (the roles pages write the same table)
    assert not queue_row(view(signed_in(east_allocator), QUEUE)[0], school)


# --- the officers list --------------------------------------------------------------------------------------------


def test_officers_list_is_cached_and_shows_officers_added_changed_and_ended(signed_in, alloc, school, near):
    client = signed_in(alloc)
    html = assert_cached(client, PEOPLE)
    assert "Near Officer" in html and "1 active officer." in html

    services.officer_create(
        actor=alloc,
        name="New Officer",
        shoulder_number="9999CE",
        bcu=near.bcu,
        base_name="Hackney police station",
        base_postcode="E8 1AA",
        base_latitude=51.60,
        base_longitude=-0.02,
        capacity=100,
    )
    html = view(client, PEOPLE)[0]
    assert "New Officer" in html and "2 active officers." in html

    response = client.post(reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk})
    assert response.status_code == 302
    page = view(client, PEOPLE)[0]
    # One school, and its weight as load (the weight rules are flushed with the rest in a transactional test).
    assert re.search(r"Near Officer.*?>1</td>.*?>[1-9]\d* / 100<", page, re.S), page

    response = client.post(reverse("officers:officer_end", kwargs={"pk": near.pk}), {"reason": "Retired"})
    assert response.status_code == 302
    html = view(client, PEOPLE)[0]
    assert ">Near Officer<" not in html and "1 active officer." in html


def test_officers_list_pages_and_filter_are_their_own(signed_in, reference_data):
    both = allocator("central-east", "north-east")
    OfficerFactory(name="East Officer", bcu=bcu("central-east"))
    OfficerFactory(name="North East Officer", bcu=bcu("north-east"))
    client = signed_in(both)
    everyone = assert_cached(client, PEOPLE)
    only = assert_cached(client, PEOPLE, {"bcu": bcu("north-east").pk})
    assert "East Officer" in everyone and "North East Officer" in everyone
    assert "North East Officer" in only and ">East Officer<" not in only
    Officer.objects.filter(name="North East Officer").update(name="Renamed Officer")
    assert "Renamed Officer" in view(client, PEOPLE, {"bcu": bcu("north-east").pk})[0]


# --- coverage -----------------------------------------------------------------------------------------------------


def test_coverage_is_cached_and_counts_a_new_assignment(signed_in, alloc, school, near):
    client = signed_in(alloc)
    hackney = r"Hackney</th><td[^>]*>Central East</td><td[^>]*>{schools}</td><td[^>]*>{covered}</td>"
    assert re.search(hackney.format(schools=1, covered=0), assert_cached(client, COVERAGE))
    response = client.post(reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk})
    assert response.status_code == 302
    assert re.search(hackney.format(schools=1, covered=1), view(client, COVERAGE)[0])
    SchoolFactory()  # a school opens in Hackney
    assert re.search(hackney.format(schools=2, covered=1), view(client, COVERAGE)[0])


# --- a headteacher's named officer --------------------------------------------------------------------------------


def test_named_officer_is_cached_and_shows_each_change(signed_in, alloc, head, school, near, far):
    client = signed_in(head)
    html = assert_cached(client, NAMED)
    assert "does not have a named officer yet" in html and "Ask for a named officer" in html

    services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk, override_reason="")
    html = view(client, NAMED)[0]
    assert "Near Officer" in html and near.work_email in html and "Ask for a different officer" in html

    services.officer_update(
        actor=alloc, officer_id=near.pk, **{"work_email": "near.new@met.police.example", "name": "Near Officer"}
    )
    assert "near.new@met.police.example" in view(client, NAMED)[0]

    response = client.post(
        reverse("officers:request_officer", kwargs={"urn": school.pk}), {"kind": "change", "reason": "Why"}
    )
    assert response.status_code == 302
    assert OfficerRequest.objects.filter(school=school).exists()
    assert "your school asked for a different officer: “Why”" in view(client, NAMED)[0]


def test_named_officer_follows_the_headteachers_schools(signed_in, head, school):
    client = signed_in(head)
    assert school.name in assert_cached(client, NAMED)
    second = SchoolFactory(name="Second School")
    SchoolMembershipFactory(school=second, user=head, role=SchoolMembership.Role.HEADTEACHER)
    assert "Second School" in view(client, NAMED)[0]
    SchoolMembership.objects.filter(user=head).update(ended_at=timezone.now())
    assert client.get(NAMED).status_code == 403


# --- what the fragments depend on ---------------------------------------------------------------------------------


def test_the_queue_depends_on_every_programme_that_shows_activity_in_it():
    """A programme that starts showing activity in the queue (a `school_activity` in its figures.py) must be in the
    queue fragment's `depends_on`, or its counts would stay as they were until the fragment expires."""
    from django.apps import apps

    from core.discovery import app_modules
    from officers.views import QUEUE_TABLES

    providers = {
        apps.get_containing_app_config(module.__name__).label
        for module in app_modules("figures")
        if hasattr(module, "school_activity")
    }
    assert providers >= {"wands", "stepping_stones", "education_toolkit", "officers"}
    assert providers <= set(QUEUE_TABLES)
