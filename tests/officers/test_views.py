"""Pages: assign from a suggestion, override with a reason, optimiser apply, headteacher asks; flat query counts."""

import pytest
from django.urls import reverse

from officers import selectors
from officers.models import Assignment, OfficerRequest
from tests.accounts.factories import SchoolFactory, london_authority

from .factories import AssignmentFactory, OfficerFactory, officer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


def test_allocator_assigns_the_top_suggestion(client_as, alloc, school, near, far):
    client = client_as(alloc)
    page = client.get(reverse("officers:school_detail", kwargs={"urn": school.pk}))
    assert "same BCU, 0.1 km from base, load 0% → 20%" in page.content.decode()
    assert "those with room for this school first" in page.content.decode()  # how the list is ordered
    response = client.post(reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk})
    assert response.status_code == 302
    assert selectors.named_officer_for(school) == near


def test_choosing_a_lower_ranked_officer_asks_why(client_as, alloc, school, near, far):
    client = client_as(alloc)
    url = reverse("officers:school_detail", kwargs={"urn": school.pk})
    response = client.post(url, {"officer": far.pk})
    assert response.status_code == 200
    assert "is not the top suggestion" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Assignment.objects.exists()
    client.post(url, {"officer": far.pk, "override_reason": "Worked with this school before"})
    assert Assignment.objects.get().override_reason == "Worked with this school before"


def test_empty_post_shows_errors_not_500(client_as, alloc, school, near):
    response = client_as(alloc).post(reverse("officers:school_detail", kwargs={"urn": school.pk}), {})
    assert response.status_code == 200
    assert "Choose an officer" in response.content.decode()


def test_school_outside_the_allocators_bcus_is_404(client_as, alloc, reference_data):
    barnet = SchoolFactory(local_authority=london_authority(302))
    assert client_as(alloc).get(reverse("officers:school_detail", kwargs={"urn": barnet.pk})).status_code == 404


def test_optimiser_proposes_and_applies_the_ticked_rows(client_as, alloc, school, near, reference_data):
    second = SchoolFactory(latitude=51.55, longitude=-0.06)
    client = client_as(alloc)
    page = client.get(reverse("officers:optimiser"), {"bcu": near.bcu_id})
    body = page.content.decode()
    assert "Proposal for Central East" in body and f'value="{school.pk}:{near.pk}"' in body
    response = client.post(
        reverse("officers:optimiser_apply"), {"bcu": near.bcu_id, "pair": [f"{school.pk}:{near.pk}"]}
    )
    assert response.status_code == 302
    assert selectors.named_officer_for(school) == near
    assert selectors.named_officer_for(second) is None


def test_headteacher_sees_named_officer_and_asks_for_a_change(client_as, head, school, near, alloc):
    AssignmentFactory(school=school, officer=near)
    client = client_as(head)
    body = client.get(reverse("officers:named_officer")).content.decode()
    assert "Near Officer" in body and near.work_email in body
    response = client.post(
        reverse("officers:request_officer", kwargs={"urn": school.pk}), {"kind": "change", "reason": "Never visits"}
    )
    assert response.status_code == 302
    assert OfficerRequest.objects.get().reason == "Never visits"
    assert school in selectors.queue_for(alloc)


def test_the_ask_page_asks_what_the_school_needs_and_shows_an_open_request_instead_of_a_form(
    client_as, head, school, near
):
    """Found walking it as a headteacher: the page offered "Ask for a named officer" to a school that had one, and
    with a request already open it let the head write a reason only to be refused on sending."""
    url = reverse("officers:request_officer", kwargs={"urn": school.pk})
    client = client_as(head)
    page = client.get(url).content.decode()
    assert '<h1 class="govuk-heading-xl">Ask for a named officer</h1>' in page and 'name="kind"' not in page
    AssignmentFactory(school=school, officer=near)
    page = client.get(url).content.decode()
    assert '<h1 class="govuk-heading-xl">Ask for a different officer</h1>' in page
    assert client.post(url, {"kind": "new", "reason": "Never visits"}).status_code == 302
    assert OfficerRequest.objects.get().kind == "change"  # what the school's situation says, whatever was posted
    page = client.get(url).content.decode()
    assert "your school asked for a different officer: “Never visits”" in page
    assert 'name="reason"' not in page and "You can ask again once they have answered." in page


def test_officer_sees_their_schools(client, school, near):
    AssignmentFactory(school=school, officer=near)
    client.force_login(officer_user(near))
    body = client.get(reverse("officers:my_schools")).content.decode()
    assert school.name in body and school.telephone in body


def test_end_officer_page_puts_schools_back(client_as, alloc, school, near):
    AssignmentFactory(school=school, officer=near)
    response = client_as(alloc).post(reverse("officers:officer_end", kwargs={"pk": near.pk}), {"reason": "Retired"})
    assert response.status_code == 302
    assert school in selectors.queue_for(alloc)


def _many(n):
    officers = [OfficerFactory() for _ in range(max(1, n // 5))]
    for i in range(n):
        school = SchoolFactory(latitude=51.54, longitude=-0.05)
        if i % 2:
            AssignmentFactory(school=school, officer=officers[i % len(officers)], weight=1)


@pytest.mark.parametrize("url_name", ["officers:queue", "officers:officer_list", "officers:coverage"])
def test_list_pages_query_count_does_not_grow(client_as, alloc, url_name, django_assert_max_num_queries):
    client = client_as(alloc)
    _many(5)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _many(120)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_what_if_shows_schools_losing_cover_and_the_proposal_without_writing(client_as, alloc, school, near, far):
    AssignmentFactory(school=school, officer=near, weight=20)
    client = client_as(alloc)
    body = client.get(reverse("officers:what_if"), {"bcu": near.bcu_id, "officers": [near.pk]}).content.decode()
    assert 'id="losing">1<' in body
    assert "Far Officer" in body  # proposed for the school that loses Near Officer
    assert selectors.named_officer_for(school) == near  # nothing written
    cut = client.get(reverse("officers:what_if"), {"bcu": near.bcu_id, "cut": 2}).content.decode()
    assert "would stay without an officer" in cut and "no active officer serves" in cut
    refused = client.get(reverse("officers:what_if"), {"bcu": near.bcu_id})
    assert "Choose officers who leave, or enter how many are cut" in refused.content.decode()


def test_officer_list_is_paged_and_filtered_by_bcu(client_as, reference_data):
    from officers.views import PER_PAGE

    from .factories import allocator, bcu

    both = allocator("central-east", "north-east")
    east, north_east = bcu("central-east"), bcu("north-east")
    for n in range(PER_PAGE + 3):
        OfficerFactory(name=f"East {n:03d}", bcu=east)
    OfficerFactory(name="North East Only", bcu=north_east)
    OfficerFactory(name="Elsewhere", bcu=bcu("south-west"))
    client = client_as(both)

    first = client.get(reverse("officers:officer_list")).content.decode()
    assert f"{PER_PAGE + 4} active officers" in first
    assert "East 000" in first and f"East {PER_PAGE:03d}" not in first and "Elsewhere" not in first
    second = client.get(reverse("officers:officer_list"), {"page": 2}).content.decode()
    assert f"East {PER_PAGE:03d}" in second and "East 000" not in second

    filtered = client.get(reverse("officers:officer_list"), {"bcu": north_east.pk}).content.decode()
    assert "1 active officer." in filtered and "North East Only" in filtered and "East 000" not in filtered
    # A BCU outside the allocator's is ignored, not shown.
    outside = client.get(reverse("officers:officer_list"), {"bcu": bcu("south-west").pk}).content.decode()
    assert "Elsewhere" not in outside


def test_queue_order_is_total_so_same_named_schools_keep_their_page(alloc):
    twins = [SchoolFactory(name="St Mary's Church of England Primary School") for _ in range(4)]
    ordered = [s.pk for s in selectors.queue_for(alloc) if s.pk in {t.pk for t in twins}]
    assert ordered == sorted(t.pk for t in twins)
    assert selectors.queue_for(alloc).query.order_by[-1] == "pk"


def test_queue_counts_are_the_queues_own(alloc, near):
    """queue_counts (one query) gives what counting queue_for gives for each `show`, per BCU too."""
    _many(12)
    assigned = SchoolFactory(latitude=51.54, longitude=-0.05)
    AssignmentFactory(school=assigned, officer=near, weight=1)
    OfficerRequest.objects.create(school=assigned, kind=OfficerRequest.Kind.CHANGE, reason="Never visits")
    waiting_alone = SchoolFactory(latitude=51.54, longitude=-0.05)
    OfficerRequest.objects.create(school=waiting_alone, kind=OfficerRequest.Kind.NEW, reason="None yet")
    for bcu_id in (None, near.bcu_id, -1):
        expected = tuple(selectors.queue_for(alloc, bcu_id=bcu_id, show=show).count() for show in selectors.QUEUE_SHOWS)
        counts = selectors.queue_counts(alloc, bcu_id=bcu_id)
        assert counts == expected
        assert [counts.shown(show) for show in selectors.QUEUE_SHOWS] == list(expected)
    counts = selectors.queue_counts(alloc)
    assert counts.asked == 2 and counts.waiting == counts.without_officer + 1  # `assigned` has an officer and asked
    assert selectors.queue_counts(alloc, bcu_id=-1) == (0, 0, 0)


def test_queue_page_queries_are_few_and_constant(client_as, alloc, django_assert_max_num_queries):
    """The queue page: its totals in one query, the page of schools in one, each other programme's figures in one
    (the officers' own filtered out). 15 today (16 before): a regression to counting twice or a query per row fails."""
    client = client_as(alloc)
    _many(60)
    client.get(reverse("officers:queue"))
    with django_assert_max_num_queries(15):
        body = client.get(reverse("officers:queue")).content.decode()
    assert "govuk-table" in body
