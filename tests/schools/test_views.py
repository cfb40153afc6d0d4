import re

import pytest
from django.urls import reverse

from schools.models import School
from tests.schools.factories import SchoolFactory, create_schools, local_authority

pytestmark = pytest.mark.django_db

LIST_URL = "/schools/"
HACKNEY, CITY_OF_LONDON, CAMDEN = 204, 201, 202


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def result_names(response) -> list[str]:
    return [result["school"].name for result in response.context["results"]]


def test_urls_are_where_the_service_says():
    assert reverse("schools:list") == LIST_URL
    assert reverse("schools:detail", kwargs={"urn": 123456}) == "/schools/123456/"


def test_find_a_school_page_lists_open_schools_with_their_details(client):
    school = SchoolFactory(name="Mossbourne Community Academy", secondary=True)
    SchoolFactory(name="Long gone school", closed=True)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert title(response) == "Find a school – London Schools Safety Portal"
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Find a school</h1>' in html
    assert ">1 school</h2>" in html
    assert f'href="/schools/{school.urn}/">Mossbourne Community Academy</a>' in html
    assert f"URN {school.urn} · Hackney · Central East BCU · Secondary" in html
    assert '<strong class="govuk-tag govuk-tag--green">Open</strong>' in html
    assert "Long gone school" not in html
    assert 'class="govuk-grid-column-one-third"' in html
    assert 'name="q"' in html and 'name="borough"' in html and 'name="bcu"' in html and 'name="phase"' in html


def test_count_uses_thousands_separators(client):
    create_schools(1024)
    response = client.get(LIST_URL)
    assert ">1,024 schools</h2>" in response.content.decode()


def test_search_and_filters_narrow_the_results(client):
    SchoolFactory(name="Hackney Primary", local_authority=local_authority(HACKNEY))
    SchoolFactory(name="Camden Primary", local_authority=local_authority(CAMDEN))
    SchoolFactory(name="Camden Secondary", local_authority=local_authority(CAMDEN), secondary=True)
    SchoolFactory(name="Camden Closed", local_authority=local_authority(CAMDEN), closed=True)

    assert result_names(client.get(LIST_URL, {"q": "camden"})) == ["Camden Primary", "Camden Secondary"]
    assert result_names(client.get(LIST_URL, {"borough": CAMDEN, "phase": "secondary"})) == ["Camden Secondary"]
    assert result_names(client.get(LIST_URL, {"bcu": "central-east"})) == ["Hackney Primary"]
    assert result_names(client.get(LIST_URL, {"q": "camden", "include_closed": "on"})) == [
        "Camden Closed",
        "Camden Primary",
        "Camden Secondary",
    ]


def test_chosen_filters_are_shown_as_chosen(client):
    response = client.get(LIST_URL, {"q": "abc", "borough": CAMDEN, "phase": ["primary", "nursery"], "special": "on"})
    html = response.content.decode()
    assert 'value="abc"' in html
    assert f'<option value="{CAMDEN}" selected>Camden</option>' in html
    assert re.search(r'value="primary" checked', html)
    assert re.search(r'value="nursery" checked', html)
    assert re.search(r'id="id_special" name="special" type="checkbox" value="on" checked', html)


def test_phase_filter_is_a_set_of_checkboxes(client):
    html = client.get(LIST_URL).content.decode()
    assert '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">' in html
    assert re.search(
        r'<input class="govuk-checkboxes__input" id="id_phase_2" name="phase" type="checkbox" value="primary"', html
    )


def test_no_results_gives_advice(client):
    response = client.get(LIST_URL, {"q": "no such school"})
    html = response.content.decode()
    assert ">0 schools</h2>" in html
    assert "No schools match your search." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"borough": "999"}, "Select a borough from the list"),
        ({"bcu": "atlantis"}, "Select a police command unit from the list"),
        ({"phase": "university"}, "Select phases from the list"),
        ({"status": "gone"}, "Select statuses from the list"),
        ({"q": "x" * 101}, "Search for 100 characters or fewer"),
        ({"bcu": "central-west", "borough": HACKNEY}, "Hackney is not in Central West"),
    ],
)
def test_invalid_filters_show_the_govuk_error_summary_not_a_server_error(client, query, message):
    SchoolFactory(name="Should not be listed")
    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    assert title(response) == "Error: Find a school – London Schools Safety Portal"
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert message in html
    assert 'class="govuk-error-message"' in html
    assert "Should not be listed" not in html
    assert "Correct the search and filters to see schools." in html


def test_pagination_has_25_per_page_numbered_links_and_keeps_filters(client):
    for n in range(60):
        SchoolFactory(name=f"School {n:03d}", local_authority=local_authority(CAMDEN))
    SchoolFactory(name="Elsewhere", local_authority=local_authority(HACKNEY))

    first = client.get(LIST_URL, {"borough": CAMDEN})
    assert len(first.context["results"]) == 25
    assert result_names(first)[0] == "School 000"
    html = first.content.decode()
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in html
    assert f'href="?borough={CAMDEN}&amp;page=2" aria-label="Page 2"' in html
    assert f'href="?borough={CAMDEN}&amp;page=3" aria-label="Page 3"' in html
    assert 'rel="prev"' not in html
    assert f'href="?borough={CAMDEN}&amp;page=2" rel="next"' in html
    assert 'aria-label="Page 1" aria-current="page"' in html

    last = client.get(LIST_URL, {"borough": CAMDEN, "page": 3})
    assert result_names(last) == [f"School {n:03d}" for n in range(50, 60)]
    assert title(last) == "Find a school (page 3 of 3) – London Schools Safety Portal"
    html = last.content.decode()
    assert f'href="?borough={CAMDEN}&amp;page=2" rel="prev"' in html
    assert 'rel="next"' not in html
    assert "Showing 51 to 60" in html


def test_many_pages_are_elided(client):
    create_schools(25 * 12)
    html = client.get(LIST_URL, {"page": 6}).content.decode()
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "5", "6", "7", "12"]
    assert html.count("govuk-pagination__item--ellipsis") == 2


@pytest.mark.parametrize("page_number", ["0", "999", "abc", "-1", "1e9"])
def test_odd_page_numbers_still_show_a_page(client, page_number):
    SchoolFactory.create_batch(30)
    response = client.get(LIST_URL, {"page": page_number})
    assert response.status_code == 200
    assert len(response.context["results"]) in {25, 5}


def test_a_status_from_a_link_is_kept_by_the_form(client):
    SchoolFactory(name="Opening soon", status=School.Status.PROPOSED_TO_OPEN)
    SchoolFactory(name="Open now")
    response = client.get(LIST_URL, {"status": "proposed_to_open"})
    assert result_names(response) == ["Opening soon"]
    assert '<input type="hidden" name="status" value="proposed_to_open">' in response.content.decode()


def test_only_get_is_allowed(client):
    assert client.post(LIST_URL).status_code == 405


def test_school_page_shows_the_register_entry(client):
    school = SchoolFactory(
        name="Hackney Free and Parochial",
        secondary=True,
        number_of_pupils=1234,
        street="Paragon Road",
        town="London",
        postcode="E9 6NR",
        telephone="020 8985 2055",
        website="www.hfpschool.org.uk",
    )
    response = client.get(f"/schools/{school.urn}/")

    assert response.status_code == 200
    assert title(response) == "Hackney Free and Parochial – London Schools Safety Portal"
    html = response.content.decode()
    rows = dict(
        re.findall(
            r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>',
            html,
            re.S,
        )
    )
    assert rows["URN"] == str(school.urn)
    assert rows["Type"] == "Academy converter"
    assert rows["Phase"] == "Secondary"
    assert rows["Status"] == "Open"
    assert rows["Ages"] == "11 to 18"
    assert rows["Pupils"] == "1,234"
    assert rows["Address"] == "Paragon Road<br>London<br>E9 6NR"
    assert rows["Phone"] == "020 8985 2055"
    assert 'href="http://www.hfpschool.org.uk"' in rows["Website"]
    assert rows["Local authority"] == "Hackney (204)"
    assert rows["Police Basic Command Unit"] == "Central East"
    assert 'href="/schools/"' in html and "govuk-back-link" in html


def test_city_of_london_school_is_policed_by_the_city_of_london_police(client):
    school = SchoolFactory(local_authority=local_authority(CITY_OF_LONDON))
    html = client.get(f"/schools/{school.urn}/").content.decode()
    assert "City of London Police (not covered by the Met)" in html


def test_school_page_copes_with_missing_details(client):
    school = SchoolFactory(
        statutory_low_age=None, number_of_pupils=None, street="", town="", postcode="", telephone="", website=""
    )
    html = client.get(f"/schools/{school.urn}/").content.decode()
    assert html.count("Not recorded") == 5


def test_closed_school_page_says_so(client):
    school = SchoolFactory(closed=True)
    html = client.get(f"/schools/{school.urn}/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Closed</strong>' in html


def test_website_with_scheme_is_linked_as_is(client):
    school = SchoolFactory(website="https://example.sch.uk/")
    assert 'href="https://example.sch.uk/"' in client.get(f"/schools/{school.urn}/").content.decode()


@pytest.mark.parametrize("path", ["/schools/999999/", "/schools/12/", "/schools/123456789012345678901234567890/"])
def test_unknown_urn_is_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/schools/school/",
        "/django-admin/schools/school/?q=hackney&phase__exact=primary&local_authority__bcu__id__exact=1",
        "/django-admin/schools/localauthority/",
        "/django-admin/schools/basiccommandunit/",
        "/django-admin/schools/giasimport/",
    ],
)
def test_admin_lists_the_register(admin_client, path):
    SchoolFactory(name="Hackney Admin School")
    assert admin_client.get(path).status_code == 200


def test_admin_cannot_add_change_or_delete_schools(admin_client):
    school = SchoolFactory()
    assert admin_client.get("/django-admin/schools/school/add/").status_code == 403
    view = admin_client.get(f"/django-admin/schools/school/{school.urn}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert admin_client.post(f"/django-admin/schools/school/{school.urn}/delete/", {"post": "yes"}).status_code == 403
    assert School.objects.filter(urn=school.urn).exists()
