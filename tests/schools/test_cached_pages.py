"""Find a school and the register changes are cached fragments (core.fragments): the second view of a page runs fewer
queries and shows the same page, and a real change (a GIAS refresh, a change applied or dismissed in the review
pages, a programme record a succession would move, a role removed) shows at once. Transactional, so that what a
test writes is committed and the cache is used as in production (tests/core/test_fragments.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ProgrammeRole
from accounts.services.programme_roles import programme_role_end
from schools.models import BasicCommandUnit, LocalAuthority, School, SchoolChange
from schools.services import gias_import_run
from tests.accounts.factories import SchoolMembershipFactory, programme_admin, with_two_factor
from tests.schools.factories import SchoolFactory, local_authority
from tests.schools.gias_fixtures import gias_row, write_gias

pytestmark = pytest.mark.django_db(transaction=True)

LIST_URL = "/schools/"
CHANGES_URL = "/schools/changes/"
HACKNEY, CAMDEN = 204, 202
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NONCE = re.compile(r'nonce="[^"]*"')


def get(client, url, query=None) -> tuple[str, int]:
    """The page's HTML (CSRF tokens and CSP nonces masked: they differ on every response) and its query count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    html = CSRF.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())
    return NONCE.sub('nonce="…"', html), len(queries)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.fixture
def admin_client(client):
    client.force_login(with_two_factor(programme_admin()))
    return client


# --- Find a school ----------------------------------------------------------------------------------------------


def test_find_a_school_second_view_runs_fewer_queries_and_shows_the_same_page(client, admin_client):
    SchoolFactory(name="Mossbourne Community Academy", local_authority=local_authority(HACKNEY), secondary=True)
    SchoolFactory(name="Camden Primary", local_authority=local_authority(CAMDEN))

    for query in ({}, {"borough": HACKNEY, "phase": "secondary"}):
        first, cold = get(admin_client, LIST_URL, query)
        second, warm = get(admin_client, LIST_URL, query)
        assert second == first
        assert warm < cold
        assert "Mossbourne Community Academy" in second


def test_find_a_school_is_the_same_fragment_for_every_reader(client, admin_client):
    from django.test import Client

    SchoolFactory(name="Mossbourne Community Academy")
    signed_in, _ = get(admin_client, LIST_URL)
    anonymous, queries = get(Client(), LIST_URL)
    assert queries == 0  # the anonymous page read nothing: the admin's fragment was reused
    panel = re.compile(r'<div class="govuk-grid-row">.*</main>', re.S)
    assert panel.search(anonymous).group(0) == panel.search(signed_in).group(0)


def test_find_a_school_shows_a_refresh_from_gias_at_once(client, tmp_path):
    gias_import_run(path=write_gias(tmp_path / "edubasealldata20250101.csv", [gias_row(100001), gias_row(100002)]))
    before, _ = get(client, LIST_URL)
    assert ">2 schools</h2>" in before and "Oakfield Primary Academy" not in before
    assert get(client, LIST_URL)[0] == before

    gias_import_run(
        path=write_gias(
            tmp_path / "edubasealldata20250102.csv",
            [gias_row(100001, name="Oakfield Primary Academy"), gias_row(100002), gias_row(100003)],
        )
    )
    after, _ = get(client, LIST_URL)
    assert ">3 schools</h2>" in after and "Oakfield Primary Academy" in after


def test_find_a_school_filtered_shows_a_renamed_borough_and_a_closed_school(client):
    camden = local_authority(CAMDEN)
    gone = SchoolFactory(name="Camden Secondary", local_authority=camden, secondary=True)
    SchoolFactory(name="Camden Academy", local_authority=camden, secondary=True)
    query = {"borough": CAMDEN, "phase": "secondary"}
    assert ">2 schools</h2>" in get(client, LIST_URL, query)[0]
    get(client, LIST_URL, query)

    LocalAuthority.objects.filter(pk=camden.pk).update(name="Camden Town")
    School.objects.filter(pk=gone.pk).update(status=School.Status.CLOSED)
    html, _ = get(client, LIST_URL, query)
    assert ">1 school</h2>" in html and "Camden Secondary" not in html
    assert "Camden Town" in html  # in the borough select and in the row


def test_find_a_school_later_pages_keep_their_title_when_cached(client):
    for n in range(30):
        SchoolFactory(name=f"School {n:03d}", local_authority=local_authority(CAMDEN))
    first, _ = get(client, LIST_URL, {"page": 2})
    second, warm = get(client, LIST_URL, {"page": 2})
    assert second == first
    assert title(second) == "Find a school (page 2 of 2) – London Schools Safety Portal"
    assert "Showing 26 to 30" in second and "School 029" in second
    assert title(get(client, LIST_URL)[0]) == "Find a school – London Schools Safety Portal"
    assert warm < 3  # the title's page numbers are cached too: no count, no rows

    for n in range(30, 60):
        SchoolFactory(name=f"School {n:03d}", local_authority=local_authority(CAMDEN))
    assert title(get(client, LIST_URL, {"page": 2})[0]) == "Find a school (page 2 of 3) – London Schools Safety Portal"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"borough": "999"}, "Select a borough from the list"),
        ({"phase": "university"}, "Select phases from the list"),
        ({"bcu": "central-west", "borough": HACKNEY}, "Hackney is not in Central West"),
    ],
)
def test_find_a_school_bad_filters_keep_the_error_summary_when_cached(client, query, message):
    SchoolFactory(name="Should not be listed", local_authority=local_authority(HACKNEY))
    first, _ = get(client, LIST_URL, query)
    second, warm = get(client, LIST_URL, query)
    assert second == first
    assert warm == 0  # the filters' validation is cached with the page: it depends on the register alone
    assert title(second) == "Error: Find a school – London Schools Safety Portal"
    assert 'class="govuk-error-summary"' in second and message in second
    assert 'class="govuk-error-message"' in second
    assert "Should not be listed" not in second


def test_find_a_school_a_bad_filter_becomes_good_when_the_register_changes(client):
    query = {"borough": CAMDEN, "bcu": "central-west"}
    html, _ = get(client, LIST_URL, query)
    assert "Camden is not in Central West" in html and title(html).startswith("Error: ")
    get(client, LIST_URL, query)

    camden = local_authority(CAMDEN)
    camden.bcu = BasicCommandUnit.objects.get(slug="central-west")
    camden.save()
    SchoolFactory(name="Camden Primary", local_authority=camden)
    html, _ = get(client, LIST_URL, query)
    assert "govuk-error-summary" not in html and not title(html).startswith("Error: ")
    assert "Camden Primary" in html


def test_find_a_school_search_with_no_result_shows_a_new_match(client):
    SchoolFactory(name="Hackney Primary")
    html, _ = get(client, LIST_URL, {"q": "zebra"})
    assert "No schools match your search." in html
    assert get(client, LIST_URL, {"q": "zebra"})[0] == html

    SchoolFactory(name="Zebra Crossing Primary")
    html, _ = get(client, LIST_URL, {"q": "zebra"})
    assert "Zebra Crossing Primary" in html and "No schools match" not in html


# --- School register changes ------------------------------------------------------------------------------------


def change(**kwargs) -> SchoolChange:
    return SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION,
        school=SchoolFactory(name="Old Lane Primary"),
        successor=SchoolFactory(name="Old Lane Academy"),
        found_at=timezone.now(),
        **kwargs,
    )


def test_changes_second_view_runs_fewer_queries_and_shows_the_same_page(admin_client):
    c = change()
    SchoolMembershipFactory(school=c.school, headteacher=True)
    first, cold = get(admin_client, CHANGES_URL)
    second, warm = get(admin_client, CHANGES_URL)
    assert second == first
    assert warm < cold
    assert "School staff: 1 membership moves" in second
    assert re.search(r'action="/schools/changes/apply-all/">\s*<input type="hidden" name="csrfmiddlewaretoken"', second)


def test_changes_apply_all_works_from_a_cached_page(admin_client):
    from django.test import Client

    c = change()
    get(admin_client, CHANGES_URL)
    client = Client(enforce_csrf_checks=True)
    client.force_login(_user(admin_client))
    html = client.get(CHANGES_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html).group(1)
    response = client.post("/schools/changes/apply-all/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.APPLIED


def _user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_changes_show_a_programme_record_the_succession_would_move(admin_client):
    c = change()
    SchoolMembershipFactory(school=c.school, headteacher=True)
    assert "School staff: 1 membership moves" in get(admin_client, CHANGES_URL)[0]
    SchoolMembershipFactory(school=c.school)
    assert "School staff: 2 memberships move" in get(admin_client, CHANGES_URL)[0]


def test_changes_show_an_applied_change_at_once(admin_client):
    c = change()
    html, _ = get(admin_client, CHANGES_URL)
    assert "1 waiting" in html and "No changes decided yet." in html
    get(admin_client, CHANGES_URL)

    response = admin_client.post(f"/schools/changes/{c.pk}/", {"action": "apply"})
    assert response.status_code == 302
    html, _ = get(admin_client, CHANGES_URL)
    assert "Nothing is waiting for review." in html and "1 waiting" not in html
    assert "/schools/changes/apply-all/" not in html  # no apply-all form when nothing waits
    assert "Applied" in html and "No changes decided yet." not in html
    # and Find a school no longer lists the closed school
    assert "Old Lane Primary" not in get(admin_client, LIST_URL)[0]


def test_changes_show_a_dismissed_change_and_a_new_one(admin_client):
    c = change()
    get(admin_client, CHANGES_URL)
    admin_client.post(f"/schools/changes/{c.pk}/", {"action": "dismiss", "reason": "Not converting"})
    html, _ = get(admin_client, CHANGES_URL)
    assert "Nothing is waiting for review." in html and "Dismissed" in html

    SchoolChange.objects.create(
        kind=SchoolChange.Kind.CLOSURE, school=SchoolFactory(name="Closing Lane"), found_at=timezone.now()
    )
    html, _ = get(admin_client, CHANGES_URL)
    assert "1 waiting" in html and "Closing Lane" in html


def test_changes_refused_once_the_role_is_removed(admin_client):
    change()
    get(admin_client, CHANGES_URL)
    role = ProgrammeRole.objects.get(user=_user(admin_client))
    programme_role_end(actor=programme_admin(), role_id=role.pk, reason="Left the programme")
    assert admin_client.get(CHANGES_URL).status_code == 403
