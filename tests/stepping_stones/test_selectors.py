"""Who sees which pupil records (every role, view-as included), searches, the access log, counts and figures."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from core.figures import collect_school_activity, collect_tasks
from stepping_stones import figures, selectors, services
from tests.accounts.factories import (
    OrganisationMembershipFactory,
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolMembershipFactory,
    UserFactory,
    headteacher_of,
    programme_admin,
)

from .factories import coordinator, lead_of, primary_school, refer, secondary_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(make_referral):
    return make_referral()


def _sees(user, referral) -> bool:
    found = selectors.referral_get_for(user, referral.reference)
    in_list = selectors.referrals_visible_to(user).filter(pk=referral.pk).exists()
    assert (found is not None) == in_list
    return in_list


def test_leads_of_both_schools_and_coordinators_see_the_record(referral, primary_lead, secondary_lead):
    assert _sees(primary_lead, referral)
    assert _sees(secondary_lead, referral)
    assert _sees(coordinator(), referral)
    assert _sees(headteacher_of(referral.referring_school), referral)  # headteachers hold every duty
    assert _sees(headteacher_of(referral.receiving_school), referral)


@pytest.mark.parametrize(
    "build",
    [
        lambda r: lead_of(primary_school()),
        lambda r: lead_of(secondary_school()),
        lambda r: headteacher_of(primary_school()),
        lambda r: SchoolMembershipFactory(school=r.referring_school).user,  # staff without the duty
        lambda r: programme_admin(),
        lambda r: ProgrammeRoleFactory(kind="toolkit_editor").user,
        lambda r: ProgrammeRoleFactory(kind="fulfilment_staff").user,
        lambda r: PoliceRoleFactory(kind="officer").user,
        lambda r: PoliceRoleFactory(kind="allocator", all_london=True).user,
        lambda r: OrganisationMembershipFactory().user,
        lambda r: UserFactory(),
        lambda r: None,
    ],
    ids=[
        "other-primary-lead",
        "other-secondary-lead",
        "other-head",
        "staff-without-duty",
        "programme-admin",
        "toolkit-editor",
        "fulfilment",
        "police-officer",
        "police-allocator",
        "organisation-member",
        "signed-in",
        "anonymous",
    ],
)
def test_everyone_else_sees_nothing(referral, build):
    user = build(referral)
    assert not _sees(user, referral)
    assert not selectors.referral_find(user, upn=referral.upn).exists()
    assert not selectors.referral_access_log(user, referral).exists()
    assert selectors.dashboard_figures(user) is None


def test_view_as_sees_nothing_even_as_the_lead(referral, secondary_lead):
    """View-as is resolved once, at the edge: `pupil_page` refuses a request viewing as the lead before the page asks
    any selector; the same request, not viewing as, sees the record. (The API's edge: test_api.) Selectors take a user
    only: handed a request, they fail loudly instead of reading it as nobody."""
    from django.http import HttpResponse

    from stepping_stones.views import pupil_page

    read = []

    @pupil_page
    def page(request):
        read.append(_sees(request.user, referral))
        read.append(selectors.referral_find(request.user, upn=referral.upn).count())
        read.append(selectors.cohorts_visible_to(request.user).count())
        return HttpResponse("the record")

    request = RequestFactory().get("/")
    request.user = secondary_lead
    request.view_as_actor = programme_admin()
    assert page(request).status_code == 404
    assert read == []  # nothing was read
    request.view_as_actor = None
    assert page(request).status_code == 200
    assert read == [True, 1, 1]
    for selector in (selectors.referrals_visible_to, selectors.cohorts_visible_to, selectors.dashboard_figures):
        with pytest.raises(TypeError):
            selector(request)


def test_ended_duty_loses_access(referral, primary):
    from django.utils import timezone

    from accounts.models import SchoolDuty

    lead = lead_of(primary)
    assert _sees(lead, referral)
    SchoolDuty.objects.filter(membership__user=lead).update(ended_at=timezone.now())
    lead = type(lead).objects.get(pk=lead.pk)  # a new request: role caches are per user object
    assert not _sees(lead, referral)


def test_erased_records_are_hidden_from_leads(referral, primary_lead):
    vru = coordinator()
    services.referral_erase(actor=vru, referral=referral, reason="Request")
    assert not _sees(primary_lead, referral)
    assert _sees(vru, referral)


def test_find_by_upn_name_or_dob(make_referral, primary_lead):
    first = make_referral(0)
    make_referral(1, first_name="Other", last_name="Person")
    assert list(selectors.referral_find(primary_lead, upn=first.upn.lower())) == [first]
    assert list(selectors.referral_find(primary_lead, name="testpupil0 fictional")) == [first]
    assert selectors.referral_find(primary_lead, dob=first.date_of_birth).count() == 2
    assert not selectors.referral_find(primary_lead).exists()


def test_access_log_lists_views_changes_and_exports(referral, secondary_lead):
    services.referral_viewed(actor=secondary_lead, referral=referral, what="detail")
    vru = coordinator()
    services.referral_subject_access_export(actor=vru, referral=referral)
    verbs = list(selectors.referral_access_log(vru, referral).values_list("verb", flat=True))
    assert "stepping_stones.referral.viewed" in verbs
    assert "stepping_stones.referral.subject_access_export" in verbs
    assert "stepping_stones.referral.submitted" in verbs
    assert not selectors.referral_access_log(secondary_lead, referral).exists()


def test_dashboard_and_public_counts(make_referral, secondary_lead, participating, primary):
    accepted = make_referral(0)
    services.referral_accept(actor=secondary_lead, referral=accepted)
    services.progress_update(actor=secondary_lead, referral=accepted, engagement_day_attended=True, sessions_attended=5)
    waiting = make_referral(1)
    services.referral_waitlist(actor=secondary_lead, referral=waiting)
    make_referral(2)
    figures_ = selectors.dashboard_figures(coordinator())
    row = figures_.places[0]
    assert (row.places, row.places_filled, row.waiting, row.places_left) == (3, 1, 1, 2)
    assert figures_.by_status == {"accepted": 1, "waitlisted": 1, "submitted": 1}
    assert figures_.by_primary == [(primary.pk, primary.name, 3)]
    assert (figures_.attendance.pupils, figures_.attendance.engagement_day, figures_.attendance.sessions_total) == (
        1,
        1,
        5,
    )
    [cohort_places] = selectors.places_by_cohort()
    assert (cohort_places.transition_year, cohort_places.places_available, cohort_places.places_filled) == (2026, 3, 1)
    counts = selectors.counts_by_school([primary.pk, participating.school_id, 1])
    assert counts[primary.pk].referred == 3 and counts[participating.school_id].in_programme == 1
    assert 1 not in counts


def test_figures_suppress_small_counts_and_list_tasks(
    make_referral, primary_lead, secondary_lead, participating, primary, cohort
):
    make_referral(0)
    refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=5, submit=False)  # a draft
    activity = figures.school_activity([primary.pk, participating.school_id])
    referred = next(a for a in activity[primary.pk] if "referred" in a.label)
    assert referred.count == 1 and referred.display == "fewer than 5"
    assert collect_school_activity([primary.pk])[primary.pk]
    secondary_tasks = {t.label: t.count for t in figures.tasks_for(secondary_lead)}
    assert secondary_tasks["Stepping Stones referrals to answer"] == 1
    primary_tasks = {t.label: t.count for t in collect_tasks(primary_lead) if t.programme == "Stepping Stones"}
    assert primary_tasks == {"Stepping Stones referrals to finish": 1}
    refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=6)  # no destination: the VRU queue
    assert {t.label: t.count for t in figures.tasks_for(coordinator())} == {
        "Referrals waiting for a secondary school": 1
    }
    assert figures.tasks_for(programme_admin()) == []


def test_dashboard_query_count_is_constant(make_referral, secondary_lead, django_assert_max_num_queries):
    vru = coordinator()
    make_referral(0)
    with django_assert_max_num_queries(15) as first:
        selectors.dashboard_figures(vru)
    for n in range(1, 8):
        make_referral(n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        selectors.dashboard_figures(vru)


def test_retention_command_reports_and_dry_runs(make_referral, cohort, settings):
    referral = make_referral()
    cohort.ends_on = cohort.ends_on.replace(year=2000)
    cohort.save()
    out = StringIO()
    call_command("stepping_stones_retention", "--dry-run", stdout=out)
    assert "Would pseudonymise 1 pupil record(s)" in out.getvalue()
    referral.refresh_from_db()
    assert referral.upn
    out = StringIO()
    call_command("stepping_stones_retention", stdout=out)
    assert "Pseudonymised 1 pupil record(s)" in out.getvalue() and "cohorts 2026" in out.getvalue()
    referral.refresh_from_db()
    assert referral.upn == "" and referral.first_name == ""


@pytest.mark.parametrize(("value", "errors"), [(None, 0), (12, 0), (0, 1), ("24", 1), (True, 1)])
def test_retention_setting_check(settings, value, errors):
    from stepping_stones.checks import retention_months_setting

    if value is None:
        del settings.STEPPING_STONES_RETENTION_MONTHS
    else:
        settings.STEPPING_STONES_RETENTION_MONTHS = value
    assert len(retention_months_setting(None)) == errors


def test_a_draft_is_not_shared_with_the_secondary_before_submission(
    cohort, primary, secondary, participating, primary_lead, secondary_lead
):
    from stepping_stones import permissions

    draft = refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, submit=False)
    assert _sees(primary_lead, draft)
    assert not _sees(secondary_lead, draft) and not permissions.can_view_referral(secondary_lead, draft)
    services.referral_submit(actor=primary_lead, referral=draft)
    draft.refresh_from_db()
    assert _sees(secondary_lead, draft) and permissions.can_view_referral(secondary_lead, draft)


def _infant(**kwargs):
    from .test_services import infant_school

    return infant_school(**kwargs)


def test_the_schools_to_refer_from_are_only_those_that_teach_year_6(cohort, secondary, primary):
    from schools.models import School
    from tests.accounts.factories import SchoolMembershipFactory, with_two_factor
    from tests.schools.factories import SchoolFactory

    from .factories import ParticipatingSchoolFactory

    infant = _infant()
    junior = primary_school(statutory_low_age=7, statutory_high_age=11)
    no_ages = primary_school(statutory_low_age=None, statutory_high_age=None)  # nothing to go on: not refused
    middle = SchoolFactory(phase=School.Phase.MIDDLE_PRIMARY, statutory_low_age=9, statutory_high_age=13)
    ParticipatingSchoolFactory(
        cohort=cohort, school=secondary, feeder_primaries=[primary, infant, junior, no_ages, middle]
    )
    lead = with_two_factor(lead_of(primary))
    for school in (infant, junior, no_ages, middle):
        SchoolMembershipFactory(school=school, user=lead, headteacher=True)
    teaching_year_6 = {primary, junior, no_ages, middle}
    assert set(selectors.schools_to_refer_from(lead)) == teaching_year_6
    assert set(selectors.referring_schools_for(lead)) == teaching_year_6
    vru = with_two_factor(coordinator())
    assert set(selectors.schools_to_refer_from(vru)) == teaching_year_6  # an infant feeder set before the check
    assert infant not in selectors.referring_schools_for(vru)
    assert selectors.can_refer(lead) and selectors.schools_without_year_6_led_by(lead) == [infant]


def test_a_lead_of_only_an_infant_school_has_nothing_to_refer_from_and_is_told_why(cohort):
    from tests.accounts.factories import with_two_factor

    infant = _infant()
    lead = with_two_factor(lead_of(infant))
    assert list(selectors.schools_to_refer_from(lead)) == []
    assert list(selectors.referring_schools_for(lead)) == []
    assert not selectors.can_refer(lead)
    assert selectors.schools_without_year_6_led_by(lead) == [infant]
    # The API's lookup still finds it, so the service refuses it with the reason (400 on referring_school).
    assert selectors.referring_school_get_for(lead, infant.pk) == infant
    assert selectors.referring_school_get_for(with_two_factor(lead_of(primary_school())), infant.pk) is None
    assert selectors.schools_without_year_6_led_by(with_two_factor(lead_of(secondary_school()))) == []
    assert selectors.schools_without_year_6_led_by(with_two_factor(coordinator())) == []


def test_the_schools_to_refer_from_cost_one_query_however_many(django_assert_num_queries):
    from tests.accounts.factories import SchoolMembershipFactory, with_two_factor

    lead = with_two_factor(lead_of(primary_school()))
    for n in range(6):
        ages = {"statutory_low_age": 3, "statutory_high_age": 7} if n % 2 else {}
        SchoolMembershipFactory(school=primary_school(**ages), user=lead, headteacher=True)
    selectors.schools_to_refer_from(lead).exists()  # the lead's schools are cached on the user
    with django_assert_num_queries(1):
        schools = list(selectors.schools_to_refer_from(lead))
        assert not any(school.leaves_out_year_6 for school in schools)
    assert len(schools) == 4
