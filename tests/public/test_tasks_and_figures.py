"""The signed-in landing page lists each person's tasks per programme; the wands and toolkit figures.py give tasks
and school activity in a constant number of queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.figures import collect_school_activity, collect_tasks
from education_toolkit import figures as toolkit_figures
from education_toolkit.models import Download
from tests.accounts.factories import (
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    headteacher_of,
    with_two_factor,
)
from tests.accounts.factories import programme_admin as make_programme_admin
from tests.education_toolkit.factories import ResourceFactory, toolkit_editor, with_file
from tests.wands.factories import WandRequestFactory, fulfilment_staff
from wands import figures as wand_figures

pytestmark = pytest.mark.django_db


def _home(user):
    client = Client()
    client.force_login(with_two_factor(user))
    return client.get(reverse("public:home"))


def _labels(tasks, programme=None):
    return {task.label: task.count for task in tasks if programme is None or task.programme == programme}


class TestLandingPage:
    def test_anonymous_sees_the_programmes_and_sign_in(self, client):
        html = client.get(reverse("public:home")).content.decode()
        assert "Knife wands for schools" in html and "Stepping Stones" in html
        assert reverse("account_login") in html
        assert reverse("public:signup") in html and reverse("public:figures") in html
        assert "Your tasks" not in html

    def test_programme_admin_sees_requests_waiting(self):
        WandRequestFactory()
        WandRequestFactory()
        WandRequestFactory(approved=True)
        response = _home(make_programme_admin())
        html = response.content.decode()
        assert "Your tasks" in html
        assert "Wand requests waiting for approval" in html
        assert f"{reverse('wands:queue')}?status=submitted" in html
        assert ("Knife wands", [("Wand requests waiting for approval", 2)]) in [
            (programme, [(t.label, t.count) for t in tasks]) for programme, tasks in response.context["task_groups"]
        ]

    def test_fulfilment_sees_requests_to_dispatch(self):
        WandRequestFactory(approved=True)
        html = _home(fulfilment_staff()).content.decode()
        assert "Approved wand requests to dispatch" in html
        assert "Wand requests waiting for approval" not in html

    def test_headteacher_sees_deliveries_to_confirm_at_their_school_only(self):
        school = SchoolFactory()
        WandRequestFactory(school=school, dispatched=True)
        WandRequestFactory(dispatched=True)  # another school's
        head = headteacher_of(school)
        assert _labels(wand_figures.tasks_for(head)) == {"Wand deliveries to confirm": 1}
        assert "Wand deliveries to confirm" in _home(head).content.decode()

    def test_headteacher_sees_requests_to_join_their_school_only(self):
        from accounts import figures as accounts_figures
        from tests.accounts.factories import JoinRequestFactory

        school = SchoolFactory()
        JoinRequestFactory(school=school)
        JoinRequestFactory()  # another school's
        head = headteacher_of(school)
        assert _labels(accounts_figures.tasks_for(head)) == {"Requests to join your school": 1}
        html = _home(head).content.decode()
        assert "Requests to join your school" in html
        assert reverse("accounts:school_people", kwargs={"urn": school.pk}) in html

    def test_toolkit_editor_sees_drafts(self):
        ResourceFactory(draft=True)
        ResourceFactory()
        editor = toolkit_editor()
        assert _labels(toolkit_figures.tasks_for(editor)) == {"Draft toolkit items not yet published": 1}
        assert "Draft toolkit items not yet published" in _home(editor).content.decode()

    def test_nothing_to_do_shows_the_empty_state(self):
        html = _home(UserFactory()).content.decode()
        assert "Your tasks" in html and "You have nothing to do right now" in html

    def test_tasks_with_nothing_waiting_are_left_out(self):
        html = _home(make_programme_admin()).content.decode()
        assert "Wand requests waiting for approval" not in html
        assert "You have nothing to do right now" in html

    def test_query_count_constant(self, django_assert_max_num_queries):
        admin = with_two_factor(make_programme_admin())
        client = Client()
        client.force_login(admin)
        WandRequestFactory()
        client.get(reverse("public:home"))
        with django_assert_max_num_queries(30) as first:
            client.get(reverse("public:home"))
        for _ in range(15):
            WandRequestFactory()
        with django_assert_max_num_queries(len(first.captured_queries)):
            client.get(reverse("public:home"))


class TestSchoolActivity:
    def test_wands_open_requests_and_delivered_this_year(self):
        school, quiet = SchoolFactory(), SchoolFactory()
        WandRequestFactory(school=school)
        WandRequestFactory(school=school, dispatched=True)
        WandRequestFactory(school=school, delivered=True, quantity=4)
        WandRequestFactory(school=school, cancelled=True)
        activity = wand_figures.school_activity([school.pk, quiet.pk])
        year = timezone.now().year
        assert {a.label: a.count for a in activity[school.pk]} == {
            "Open wand requests": 2,
            f"Wands delivered in {year}": 4,
        }
        assert activity[quiet.pk] == []  # nothing to show: no zeros

    def test_toolkit_downloads_by_current_staff_in_the_last_year(self):
        school, other = SchoolFactory(), SchoolFactory()
        staff = SchoolMembershipFactory(school=school).user
        former = SchoolMembershipFactory(school=school, ended_at=timezone.now()).user
        resource = ResourceFactory()
        version = with_file(resource).current_version
        for user in (staff, staff, former):
            Download.objects.create(resource=resource, version=version, user=user, organisation_type="school")
        old = Download.objects.create(resource=resource, version=version, user=staff, organisation_type="school")
        Download.objects.filter(pk=old.pk).update(downloaded_at=timezone.now() - timedelta(days=400))
        activity = toolkit_figures.school_activity([school.pk, other.pk])
        assert [a.count for a in activity[school.pk]] == [2]
        assert activity[other.pk] == []

    def test_constant_queries_as_schools_grow(self, django_assert_num_queries):
        schools = [SchoolFactory() for _ in range(3)]
        with django_assert_num_queries(1):
            wand_figures.school_activity([s.pk for s in schools])
        with django_assert_num_queries(1):
            toolkit_figures.school_activity([s.pk for s in schools])
        more = schools + [SchoolFactory() for _ in range(20)]
        with django_assert_num_queries(1):
            wand_figures.school_activity([s.pk for s in more])
        with django_assert_num_queries(1):
            toolkit_figures.school_activity([s.pk for s in more])

    def test_collected_through_core_figures(self):
        school = SchoolFactory()
        WandRequestFactory(school=school)
        resource = ResourceFactory()
        staff = SchoolMembershipFactory(school=school).user
        Download.objects.create(
            resource=resource, version=with_file(resource).current_version, user=staff, organisation_type="school"
        )
        labels = {a.label for a in collect_school_activity([school.pk])[school.pk]}
        assert "Open wand requests" in labels
        assert "Toolkit downloads by staff, last 12 months" in labels
        admin = make_programme_admin()
        assert "Wand requests waiting for approval" in _labels(collect_tasks(admin))


class TestOtherProgrammesTasks:
    """The landing page shows every programme's tasks through core.figures, not only the wands and toolkit ones."""

    def test_allocator_sees_schools_without_a_named_officer(self):
        from tests.officers.factories import allocator

        SchoolFactory()  # Hackney, Central East, no officer
        SchoolFactory()
        user = allocator("central-east", two_factor=False)  # _home gives two-factor
        response = _home(user)
        groups = dict(response.context["task_groups"])
        assert ("Schools without a named officer", 2) in [(t.label, t.count) for t in groups["School officers"]]
        assert reverse("officers:queue") + "?show=no-officer" in response.content.decode()
