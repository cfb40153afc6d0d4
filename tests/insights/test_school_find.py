"""Find a school's safety profile (`/insights/schools/`): a 6-digit URN opens the profile; a name, or part of one,
lists the schools whose profile the person may see (Find a school's search: any part of the name, any case), at most
PROFILE_SEARCH_LIMIT of them; bad input gets GOV.UK's error summary and never a server error."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights import permissions
from insights.selectors import PROFILE_SEARCH_LIMIT, schools_with_visible_profile
from schools.models import LocalAuthority, School
from tests.officers.factories import AssignmentFactory, OfficerFactory, allocator

from .conftest import school_in, vru
from .test_profile import HIDDEN, VISIBILITY

FIND = reverse("insights:school_find")


def profile_url(school):
    return reverse("insights:school_profile", kwargs={"urn": school.pk})


def listed(response) -> list[tuple[str, ...]]:
    """The results table's rows as (name, URN, borough, phase) texts, in order."""
    html = response.content.decode()
    if 'id="search-results"' not in html:
        return []
    table = html[html.index('id="search-results"') : html.index("</table>", html.index('id="search-results"'))]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table.split("<tbody", 1)[1], re.S)
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
        for row in rows
    ]


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.fixture
def peckham():
    """Schools in Hackney (Central East BCU) and Camden (Central North BCU) with "Peckham" in their name, in any case,
    one closed; one school whose name does not have it."""
    return {
        "harris": school_in(204, name="Harris Academy Peckham"),
        "st_marys": school_in(204, name="St Mary's Peckham Rye Primary", phase=School.Phase.PRIMARY),
        "camden": school_in(202, name="PECKHAM Park School"),
        "closed": school_in(204, name="Old Peckham School", status=School.Status.CLOSED),
        "other": school_in(204, name="Mossbourne Community Academy"),
    }


def test_a_name_lists_the_matching_schools_by_name_with_links_to_their_profiles(client, peckham):
    client.force_login(vru("programme_admin"))
    response = client.get(FIND, {"q": "  peckham "})
    assert response.status_code == 200
    assert listed(response) == [
        ("Harris Academy Peckham", str(peckham["harris"].pk), "Hackney", "Secondary"),
        ("PECKHAM Park School", str(peckham["camden"].pk), "Camden", "Secondary"),
        ("St Mary&#x27;s Peckham Rye Primary", str(peckham["st_marys"].pk), "Hackney", "Primary"),
    ]
    html = response.content.decode()
    assert "3 schools match ‘peckham’" in html
    for school in (peckham["harris"], peckham["camden"], peckham["st_marys"]):
        assert f'href="{profile_url(school)}"' in html
    assert "Old Peckham School" not in html  # closed: found by its URN only
    assert "govuk-error-summary" not in html and not title(response).startswith("Error")
    # Part of a word, any case, and one school: "1 school matches".
    response = client.get(FIND, {"q": "ARY'S PECK"})
    assert [row[0] for row in listed(response)] == ["St Mary&#x27;s Peckham Rye Primary"]
    assert "1 school matches ‘ARY&#x27;S PECK’" in response.content.decode()


def test_a_urn_opens_the_profile_even_of_a_closed_school(client, peckham):
    client.force_login(vru("programme_admin"))
    for school in (peckham["harris"], peckham["closed"]):
        response = client.get(FIND, {"q": f" {school.pk} "})
        assert response.status_code == 302 and response["Location"] == profile_url(school)
    # A link or bookmark from before the name search carries the URN as `urn`.
    response = client.get(FIND, {"urn": str(peckham["harris"].pk)})
    assert response.status_code == 302 and response["Location"] == profile_url(peckham["harris"])


def test_no_match_says_so(client, peckham):
    client.force_login(vru("programme_admin"))
    response = client.get(FIND, {"q": "Zzyzx"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No schools match ‘Zzyzx’" in html
    assert "There is no open school with this in its name whose safety profile you can see." in html
    assert listed(response) == [] and "govuk-error-summary" not in html


def test_schools_outside_london_are_not_listed(client, peckham):
    outside, _ = LocalAuthority.objects.get_or_create(code=330, defaults={"name": "Birmingham", "area": "outside"})
    School.objects.filter(pk=peckham["harris"].pk).update(local_authority=outside)
    client.force_login(vru("programme_admin"))
    assert "Harris Academy Peckham" not in [row[0] for row in listed(client.get(FIND, {"q": "Peckham"}))]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter a school name or URN"),
        ("   ", "Enter a school name or URN"),
        ("St", "Enter at least 3 characters of the school&#x27;s name"),
        ("12345", "Enter a URN of 6 digits, like 100275"),
        ("1234567", "Enter a URN of 6 digits, like 100275"),
        ("x" * 101, "Enter 100 characters or fewer"),
        ("Peck\x00ham", "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_an_error_summary_and_a_field_error(client, peckham, text, message):
    client.force_login(vru("programme_admin"))
    response = client.get(FIND, {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert title(response).startswith("Error: ")
    summary = html[html.index('class="govuk-error-summary"') :]
    assert f'href="#id_q">{message}</a>' in summary
    assert 'id="id_q-error"' in html and message in html[html.index('id="id_q-error"') :]
    assert listed(response) == []


def test_a_page_without_a_search_is_not_an_error(client):
    client.force_login(vru("programme_admin"))
    response = client.get(FIND)
    assert response.status_code == 200 and not title(response).startswith("Error")
    assert "School name or URN" in response.content.decode()


def test_an_allocator_finds_the_schools_of_their_bcu_only(client, peckham):
    client.force_login(allocator("central-east"))  # Hackney, not Camden
    response = client.get(FIND, {"q": "Peckham"})
    assert [row[0] for row in listed(response)] == ["Harris Academy Peckham", "St Mary&#x27;s Peckham Rye Primary"]
    client.force_login(allocator("central-north"))
    assert [row[0] for row in listed(client.get(FIND, {"q": "Peckham"}))] == ["PECKHAM Park School"]


@pytest.mark.parametrize("who", [*VISIBILITY, *HIDDEN])
def test_a_school_is_listed_exactly_for_those_who_may_see_its_profile(client, who):
    school = school_in(204, name="Clapton Girls' Academy")
    officer = OfficerFactory(name="Sam Beat")
    AssignmentFactory(officer=officer, school=school, start_date="2025-09-01")
    user = {**VISIBILITY, **HIDDEN}[who](school, officer)
    may_see = permissions.can_view_school_profile(user, school)
    assert may_see is (who in VISIBILITY)
    assert schools_with_visible_profile(user=user).filter(pk=school.pk).exists() is may_see
    client.force_login(user)
    response = client.get(FIND, {"q": "clapton girls"})
    assert response.status_code == 200
    assert [row[0] for row in listed(response)] == (["Clapton Girls&#x27; Academy"] if may_see else [])
    if not may_see:
        # What they got before with the URN; and by name, no school.
        assert "No schools match ‘clapton girls’" in response.content.decode()
        response = client.get(FIND, {"q": str(school.pk)})
        assert response.status_code == 200
        assert "There is no school with this URN that you can see" in response.content.decode()


def test_at_most_the_limit_is_listed_with_how_many_matched(client):
    for number in range(PROFILE_SEARCH_LIMIT + 5):
        school_in(204, name=f"Brampton Manor {number:03}")
    client.force_login(vru("programme_admin"))
    response = client.get(FIND, {"q": "brampton"})
    rows = listed(response)
    assert len(rows) == PROFILE_SEARCH_LIMIT and rows[0][0] == "Brampton Manor 000"
    html = response.content.decode()
    assert f"{PROFILE_SEARCH_LIMIT + 5} schools match ‘brampton’" in html
    assert f"Showing the first {PROFILE_SEARCH_LIMIT}, by name." in html
    response = client.get(FIND, {"q": "brampton manor 00"})
    assert len(listed(response)) == 10 and 'id="results-limit"' not in response.content.decode()


@pytest.mark.parametrize("make_user", [lambda: vru("programme_admin"), lambda: allocator("central-east")])
def test_the_results_take_the_same_number_of_queries_for_3_schools_or_40(
    client, django_assert_max_num_queries, make_user
):
    """No query per row (the borough comes with the school). An ordinary test's open transaction has written the
    tables, so no fragment is kept: each request runs the search (tests/insights/test_fragments.py: the cache)."""
    client.force_login(make_user())
    for number in range(3):
        school_in(204, name=f"Haggerston {number}", phase=School.Phase.PRIMARY)
    with CaptureQueriesContext(connection) as few:
        response = client.get(FIND, {"q": "haggerston"})
    assert len(listed(response)) == 3
    for number in range(3, 40):
        school_in(204 if number % 2 else 211, name=f"Haggerston {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(FIND, {"q": "haggerston"})
    assert len(listed(response)) == 40  # Hackney and Tower Hamlets: both in the Central East BCU
