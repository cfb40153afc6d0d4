"""The school safety profile: who may see it (404 for everyone else), what it shows, counts only for police."""

import re

import pytest
from django.urls import reverse

from accounts.models import SchoolDuty
from tests.accounts.factories import (
    OrganisationMembershipFactory,
    PoliceRoleFactory,
    SchoolDutyFactory,
    SchoolMembershipFactory,
    UserFactory,
    headteacher_of,
    with_two_factor,
)
from tests.officers.factories import AssignmentFactory, OfficerFactory, allocator, officer_user
from tests.wands.factories import WandRequestFactory, fulfilment_staff

from .conftest import download, places, school_in, vru


def url(school):
    return reverse("insights:school_profile", kwargs={"urn": school.pk})


@pytest.fixture
def school():
    return school_in(204, name="Clapton Girls' Academy")  # Hackney, Central East BCU


@pytest.fixture
def officer(school):
    officer = OfficerFactory(name="Sam Beat")
    AssignmentFactory(officer=officer, school=school, start_date="2025-09-01")
    return officer


def _staff(school, duty=None):
    membership = SchoolMembershipFactory(school=school)
    if duty:
        SchoolDutyFactory(membership=membership, duty=duty)
    return membership.user


VISIBILITY = {
    "headteacher": lambda s, o: with_two_factor(headteacher_of(s)),
    "staff": lambda s, o: _staff(s),
    "stepping_stones_lead": lambda s, o: with_two_factor(_staff(s, SchoolDuty.Duty.STEPPING_STONES_LEAD)),
    "named_officer": lambda s, o: officer_user(o),
    "allocator_covering": lambda s, o: allocator("central-east"),
    "all_london_allocator": lambda s, o: with_two_factor(PoliceRoleFactory(all_london_allocator=True).user),
    "programme_admin": lambda s, o: vru("programme_admin"),
    "stepping_stones_coordinator": lambda s, o: vru("stepping_stones_coordinator"),
    "toolkit_editor": lambda s, o: vru("toolkit_editor"),
}
HIDDEN = {
    "head_of_another_school": lambda s, o: with_two_factor(headteacher_of(school_in(204))),
    "another_officer": lambda s, o: officer_user(OfficerFactory()),
    "former_staff": lambda s, o: SchoolMembershipFactory(school=s, ended=True).user,
    "allocator_elsewhere": lambda s, o: allocator("central-north"),
    "fulfilment_staff": lambda s, o: with_two_factor(fulfilment_staff()),
    "organisation_member": lambda s, o: OrganisationMembershipFactory().user,
    "signed_in": lambda s, o: UserFactory(),
}


@pytest.mark.parametrize("who", VISIBILITY)
def test_people_who_may_see_the_profile(client, school, officer, who):
    client.force_login(VISIBILITY[who](school, officer))
    response = client.get(url(school))
    assert response.status_code == 200
    assert "Clapton Girls&#x27; Academy" in response.content.decode()


@pytest.mark.parametrize("who", HIDDEN)
def test_everyone_else_gets_404(client, school, officer, who):
    client.force_login(HIDDEN[who](school, officer))
    assert client.get(url(school)).status_code == 404


def test_visitors_are_sent_to_sign_in(client, school):
    response = client.get(url(school))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_and_outside_london_schools_are_404(client):
    from schools.models import LocalAuthority

    outside, _ = LocalAuthority.objects.get_or_create(code=330, defaults={"name": "Birmingham", "area": "outside"})
    school = school_in(204)
    school.local_authority = outside
    school.save()
    client.force_login(vru("programme_admin"))
    assert client.get(url(school)).status_code == 404
    assert client.get(reverse("insights:school_profile", kwargs={"urn": 999999})).status_code == 404
    assert client.get("/insights/schools/99999999999999999999999/").status_code == 404  # too big for the database
    assert client.get("/api/v1/insights/schools/99999999999999999999999/").status_code == 404


def test_the_profile_brings_the_programmes_together(client, school, officer, cohort, resource_version):
    head = with_two_factor(headteacher_of(school))
    request = WandRequestFactory(school=school, delivered=True, quantity=3)
    WandRequestFactory(school=school_in(204), approved=True)  # another school's: not shown
    earlier = OfficerFactory(name="Alex Former")
    AssignmentFactory(officer=earlier, school=school, start_date="2024-09-01", end_date="2025-08-31")
    places(cohort, school, places=60, taken=2)
    staff = _staff(school)
    download(resource_version, user=staff)
    download(resource_version, user=head, days_ago=500)
    download(resource_version, user=UserFactory())  # someone else's download: not counted
    client.force_login(head)
    response = client.get(url(school))
    html = response.content.decode()
    profile = response.context["profile"]
    assert [r.pk for r in profile.wand_requests] == [request.pk]
    assert reverse("wands:request_detail", kwargs={"pk": request.pk}) in html  # the head may open it
    assert profile.allowance.received == 3
    assert profile.named_officer == officer and "Sam Beat" in html
    assert [a.officer.name for a in profile.officer_history] == ["Sam Beat", "Alex Former"]
    assert "Alex Former" in html and "31 August 2025" in html
    assert (profile.toolkit_downloads_year, profile.toolkit_downloads_total) == (1, 2)
    # The headteacher holds every duty, the Stepping Stones lead's included: exact counts.
    assert profile.may_see_pupils
    assert profile.stepping_stones.pupils_in_programme_display == "2"


def test_pupil_readers_get_links_to_the_stepping_stones_pages_never_a_list(client, school, cohort):
    places(cohort, school, places=60, taken=2)
    lead = with_two_factor(_staff(school, SchoolDuty.Duty.STEPPING_STONES_LEAD))
    client.force_login(lead)
    response = client.get(url(school))
    links = [link for link, _ in response.context["profile"].pupil_links]
    assert links == [
        reverse("stepping_stones:referral_list"),
        reverse("stepping_stones:school_cohort", kwargs={"urn": school.pk}),
    ]
    assert response.context["profile"].stepping_stones.pupils_in_programme_display == "2"
    for link in links:
        assert link in response.content.decode()
        assert client.get(link).status_code == 200  # the lead may open them
    client.force_login(vru("stepping_stones_coordinator"))
    links = [link for link, _ in client.get(url(school)).context["profile"].pupil_links]
    assert reverse("stepping_stones:dashboard") in links


def test_police_see_stepping_stones_counts_only_with_small_ones_hidden(client, school, officer, cohort):
    places(cohort, school, places=60, taken=3)
    client.force_login(officer_user(officer))
    response = client.get(url(school))
    html = response.content.decode()
    profile = response.context["profile"]
    assert not profile.may_see_pupils and profile.pupil_links == []
    assert profile.stepping_stones.pupils_in_programme_display == "fewer than 5"
    assert "fewer than 5" in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]  # the page's text, not the random CSP nonce ("…x57D…")
    assert "Places left" in main and not re.search(r"\b57\b", main)  # 60 − 3 would give the count away


def test_at_a_glance_is_a_list_that_says_when_its_counts_are_rounded(client, school, officer, cohort):
    """Found in a persona walk at 320 px: the at-a-glance table's third column (the numbers) was off-screen, and a
    rounded count of pupils next to an exact count of places read as a contradiction. Its rows are now a summary
    list (label, programme, number: they stack on a phone), with a note for those who see rounded counts."""
    places(cohort, school, places=6, taken=6)
    client.force_login(officer_user(officer))
    html = client.get(url(school)).content.decode()
    glance = html.split('id="activity"', 1)[1].split("</dl>", 1)[0]
    assert "govuk-summary-list__row" in glance and "<table" not in glance
    row = r"Pupils with a Stepping Stones place.*?Stepping Stones</span></dt>\s*<dd[^>]*>5</dd>"
    assert re.search(row, glance, re.S)
    assert 'id="rounded-counts"' in html and "rounded to the nearest 5" in html
    client.force_login(with_two_factor(_staff(school, SchoolDuty.Duty.STEPPING_STONES_LEAD)))
    exact = client.get(url(school)).content.decode()
    assert 'id="rounded-counts"' not in exact and 'id="exact-counts"' in exact


def test_at_a_glance_starts_with_the_named_police_contact_and_notes_rounding_only_when_it_rounds(
    client, school, officer
):
    """Found walking the profile at 320 px: a school without a named officer showed only "Headteacher requests open
    0" at a glance (no police contact was said only further down), and the rounding note showed with no count of
    pupils on the page; "Allowance 1 wands"."""
    from wands.models import AllowanceRule

    AllowanceRule.objects.update_or_create(phase=school.phase, min_pupils=0, defaults={"wands": 1})
    client.force_login(vru("programme_admin"))
    html = client.get(url(school)).content.decode()
    glance = html.split('id="activity"', 1)[1].split("</dl>", 1)[0]
    assert re.search(r"Named police contact.*?<dd[^>]*><a [^>]*href=\"#police\">[^<]*Sam Beat</a>", glance, re.S)
    assert 'id="rounded-counts"' not in html  # no Stepping Stones figures for this school: nothing rounded
    assert re.search(r"Allowance</dt><dd[^>]*>1 wand</dd>", html)
    uncovered = school_in(204, name="Hackney New School")
    html = client.get(url(uncovered)).content.decode()
    glance = html.split('id="activity"', 1)[1].split("</dl>", 1)[0]
    assert "None at the moment" in glance
    city = school_in(201, name="Sir John Cass's Foundation Primary School")  # the City of London
    glance = client.get(url(city)).content.decode().split('id="activity"', 1)[1].split("</dl>", 1)[0]
    assert "City of London Police" in glance


def test_staff_without_the_lead_duty_see_counts_only(client, school, cohort):
    places(cohort, school, places=60, taken=2)
    client.force_login(_staff(school))
    profile = client.get(url(school)).context["profile"]
    assert profile.stepping_stones.pupils_in_programme_display == "fewer than 5"


def test_staff_without_the_wand_duty_see_requests_without_links(client, school):
    request = WandRequestFactory(school=school)
    client.force_login(_staff(school))
    html = client.get(url(school)).content.decode()
    assert request.reference in html
    assert reverse("wands:request_detail", kwargs={"pk": request.pk}) not in html


def test_city_of_london_school_says_who_polices_it(client):
    school = school_in(201)
    client.force_login(vru("programme_admin"))
    html = client.get(url(school)).content.decode()
    assert "City of London Police" in html


def test_profile_queries_stay_constant(client, school, officer, django_assert_max_num_queries):
    admin = vru("programme_admin")
    client.force_login(admin)
    WandRequestFactory(school=school)
    client.get(url(school))
    with django_assert_max_num_queries(60) as few:
        client.get(url(school))
    for _ in range(8):
        WandRequestFactory(school=school, delivered=True)
        AssignmentFactory(officer=OfficerFactory(), school=school, start_date="2020-01-01", end_date="2020-02-01")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(school))
    assert len(response.context["profile"].wand_requests) == 9


def test_find_a_profile_by_urn(client, school, officer):
    head = with_two_factor(headteacher_of(school))
    client.force_login(head)
    page = client.get(reverse("insights:school_find"))
    assert url(school) in page.content.decode()  # their own school, one click away
    response = client.get(reverse("insights:school_find"), {"q": f" {school.pk} "})
    assert response.status_code == 302 and response["Location"] == url(school)
    other = school_in(204)
    for urn, message in [
        (str(other.pk), "There is no school with this URN that you can see"),
        ("999999", "There is no school with this URN that you can see"),
        ("12345", "Enter a URN of 6 digits, like 100275"),
        ("", "Enter a school name or URN"),
    ]:
        response = client.get(reverse("insights:school_find"), {"q": urn})
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" in html and message in html, urn
    client.force_login(officer_user(officer))
    assert url(school) in client.get(reverse("insights:school_find")).content.decode()


def test_viewing_as_the_schools_lead_shows_counts_only(client, school, cohort):
    """A programme admin viewing as the school's Stepping Stones lead sees the profile as the lead would, except the
    pupils: "view as" never reads pupil records, so small counts stay hidden and no pupil page is linked."""
    import time

    from accounts.identity import view_as

    places(cohort, school, places=60, taken=2)
    lead = with_two_factor(_staff(school, SchoolDuty.Duty.STEPPING_STONES_LEAD))
    client.force_login(vru("programme_admin"))
    session = client.session
    session[view_as.SESSION_KEY] = {"user_id": lead.pk, "started_at": time.time()}
    session.save()
    response = client.get(url(school))
    assert response.status_code == 200
    assert response.wsgi_request.user == lead and response.wsgi_request.view_as_actor is not None
    profile = response.context["profile"]
    assert not profile.may_see_pupils and profile.pupil_links == []
    assert profile.stepping_stones.pupils_in_programme_display == "fewer than 5"
