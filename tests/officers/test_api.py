"""The officers API: same rules as the pages, 400 with field errors, 409 on conflicts, 404 out of scope."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from officers import selectors
from officers.models import Officer
from tests.accounts.factories import SchoolFactory, london_authority
from tests.etag import patch_with_etag

from .factories import AssignmentFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alloc):
    client = APIClient()
    client.force_authenticate(alloc)
    return client


def test_suggestions_then_assign_then_conflict(api, school, near, far):
    body = api.get(reverse("officers-api:suggestions", kwargs={"urn": school.pk})).json()
    assert body["suggestions"][0]["officer_id"] == near.pk
    assert body["suggestions"][0]["reason"].startswith("same BCU")
    url = reverse("officers-api:assignments")
    refused = api.post(url, {"school_urn": school.pk, "officer_id": far.pk}, format="json")
    assert refused.status_code == 400 and "override_reason" in refused.json()["errors"]
    made = api.post(url, {"school_urn": school.pk, "officer_id": near.pk}, format="json")
    assert made.status_code == 201
    again = api.post(url, {"school_urn": school.pk, "officer_id": far.pk, "override_reason": "x"}, format="json")
    assert again.status_code == 409


def test_bad_input_is_400_not_500(api):
    response = api.post(reverse("officers-api:assignments"), {"school_urn": "x"}, format="json")
    assert response.status_code == 400
    assert "school_urn" in response.json()["errors"] and "officer_id" in response.json()["errors"]


def test_school_outside_bcu_is_404(api, reference_data, near):
    barnet = SchoolFactory(local_authority=london_authority(302))
    assert api.get(reverse("officers-api:suggestions", kwargs={"urn": barnet.pk})).status_code == 404
    response = api.post(
        reverse("officers-api:assignments"), {"school_urn": barnet.pk, "officer_id": near.pk}, format="json"
    )
    assert response.status_code == 404


def test_optimiser_run_and_apply(api, school, near):
    assert api.post(reverse("officers-api:optimiser"), {"bcu_id": near.bcu_id}, format="json").status_code == 400
    run = api.post(reverse("officers-api:optimiser"), {"bcu": near.bcu.slug}, format="json").json()
    assert run["optimiser"]["new"] == [{"school_urn": school.pk, "officer_id": near.pk}]
    applied = api.post(
        reverse("officers-api:optimiser-apply"),
        {"bcu": near.bcu.slug, "proposals": run["optimiser"]["new"]},
        format="json",
    )
    assert applied.status_code == 201
    assert selectors.named_officer_for(school) == near


def test_headteacher_named_officer_and_request(head, school, near):
    AssignmentFactory(school=school, officer=near)
    client = APIClient()
    client.force_authenticate(head)
    rows = client.get(reverse("officers-api:named-officers")).json()
    assert rows[0]["officer_name"] == "Near Officer" and rows[0]["work_email"] == near.work_email
    # Codes a system can rely on, with the labels people read.
    assert (rows[0]["rank"], rows[0]["role_type"]) == (near.rank, near.role_type)
    assert rows[0]["rank_label"] == near.get_rank_display()
    assert rows[0]["role_type_label"] == near.get_role_type_display()
    made = client.post(
        reverse("officers-api:requests"), {"school_urn": school.pk, "kind": "change", "reason": "x"}, format="json"
    )
    assert made.status_code == 201


@pytest.mark.parametrize("url_name", ["officers-api:officers", "officers-api:queue", "officers-api:coverage"])
def test_lists_query_count_flat(api, url_name, reference_data, django_assert_max_num_queries):
    def many(n):
        officers = [OfficerFactory() for _ in range(max(1, n // 5))]
        for i in range(n):
            s = SchoolFactory(latitude=51.54, longitude=-0.05)
            if i % 2:
                AssignmentFactory(school=s, officer=officers[i % len(officers)], weight=1)

    many(5)
    api.get(reverse(url_name))
    with django_assert_max_num_queries(15) as small:
        assert api.get(reverse(url_name)).status_code == 200
    many(100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(reverse(url_name)).status_code == 200


def test_schema_lists_the_officers_api(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/officers/schools/{urn}/suggestions/" in schema


def test_what_if_is_read_only(api, school, near, far):
    AssignmentFactory(school=school, officer=near)
    body = api.post(reverse("officers-api:what-if"), {"bcu": near.bcu.slug, "officer_ids": [near.pk]}, format="json")
    assert body.status_code == 200
    assert body.json()["losing_cover"] == [school.pk]
    assert body.json()["optimiser"]["new"] == [{"school_urn": school.pk, "officer_id": far.pk}]
    assert selectors.named_officer_for(school) == near
    assert api.post(reverse("officers-api:what-if"), {"bcu": near.bcu.slug}, format="json").status_code == 400
    unknown = api.post(reverse("officers-api:what-if"), {"bcu": "atlantis", "cut": 1}, format="json")
    assert unknown.status_code == 400 and "bcu" in unknown.json()["errors"]


def test_a_json_endpoint_refuses_a_form_body_with_415_and_writes_nothing(alloc):
    api = APIClient()
    api.force_authenticate(alloc)
    response = api.post(reverse("officers-api:assignments"), {"school_urn": "1", "officer_id": "2"}, format="multipart")
    assert response.status_code == 415


def test_a_patch_of_one_field_changes_only_that_field(alloc):
    officer = OfficerFactory(rank=Officer.Rank.SGT, role_type=Officer.RoleType.WARD_SPECIALIST, capacity=8)
    api = APIClient()
    api.force_authenticate(alloc)
    response = patch_with_etag(api, reverse("officers-api:officer", kwargs={"pk": officer.pk}), {"capacity": 12})
    assert response.status_code == 200, response.content
    officer.refresh_from_db()
    assert (officer.capacity, officer.rank, officer.role_type) == (
        12,
        Officer.Rank.SGT,
        Officer.RoleType.WARD_SPECIALIST,
    )


def test_the_queue_shows_the_schools_without_an_officer_or_those_that_asked(api, school, near):
    """`show` gives the same schools as the queue page's Show filter; a value outside the enum is a 400 naming it."""
    from officers.models import OfficerRequest

    covered = SchoolFactory(latitude=51.55, longitude=-0.06)
    AssignmentFactory(school=covered, officer=near)
    OfficerRequest.objects.create(school=covered, kind="change", reason="Never visits")
    url = reverse("officers-api:queue")
    every = {row["urn"] for row in api.get(url).json()["results"]}
    without = {row["urn"] for row in api.get(url, {"show": "no-officer"}).json()["results"]}
    asked = api.get(url, {"show": "asked"}).json()
    assert every == {school.pk, covered.pk} and without == {school.pk}
    assert [row["urn"] for row in asked["results"]] == [covered.pk] and asked["results"][0]["request_kind"] == "change"
    refused = api.get(url, {"show": "everything"})
    assert refused.status_code == 400 and "show" in refused.json()["errors"]
    schema = api.get("/api/schema/", {"format": "json"}).json()
    (show,) = [p for p in schema["paths"]["/api/v1/officers/queue/"]["get"]["parameters"] if p["name"] == "show"]
    assert sorted(show["schema"]["enum"]) == ["asked", "no-officer"]


def test_named_officers_are_enums_in_the_schema_and_read_in_constant_queries(
    head, school, near, django_assert_max_num_queries
):
    from tests.accounts.factories import SchoolMembershipFactory, UserFactory

    schema = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    fields = schema["OfficersNamedOfficer"]["properties"]
    assert fields["rank"]["oneOf"][0] == {"$ref": "#/components/schemas/RankEnum"}
    assert fields["role_type"]["oneOf"][0] == {"$ref": "#/components/schemas/RoleTypeEnum"}
    AssignmentFactory(school=school, officer=near)
    url = reverse("officers-api:named-officers")
    client = APIClient()
    client.force_authenticate(head)
    with django_assert_max_num_queries(20) as one:  # each person's first read: nothing of theirs is cached yet
        assert len(client.get(url).json()) == 1
    busy = UserFactory()  # the head of six schools (a federation), each with its officer
    for other in SchoolFactory.create_batch(6):
        SchoolMembershipFactory(school=other, user=busy, headteacher=True)
        AssignmentFactory(school=other, officer=OfficerFactory())
    client.force_authenticate(busy)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get(url).json()
    assert len(rows) == 6 and all(row["rank"] for row in rows)
