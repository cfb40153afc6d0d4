"""The review pages and API: apply with answers, dismiss with a reason (error summary / 400 without), undo, all."""

import pytest
from django.utils import timezone

from accounts.models import SchoolMembership
from schools.models import School, SchoolChange
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory, programme_admin, with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(with_two_factor(programme_admin()))
    return client


def change(**kwargs) -> SchoolChange:
    return SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION,
        school=SchoolFactory(name="Old Lane Primary"),
        successor=SchoolFactory(name="Old Lane Academy"),
        found_at=timezone.now(),
        **kwargs,
    )


def test_list_shows_what_each_change_would_do(admin_client):
    c = change()
    SchoolMembershipFactory(school=c.school, headteacher=True)
    page = admin_client.get("/schools/changes/").content.decode()
    assert "Old Lane Primary" in page and "Old Lane Academy" in page
    assert "School staff: 1 membership moves" in page


def test_apply_asks_the_question_and_shows_an_error_summary(admin_client):
    c = change()
    SchoolMembershipFactory(school=c.school, headteacher=True)
    SchoolMembershipFactory(school=c.successor, headteacher=True)
    response = admin_client.post(f"/schools/changes/{c.pk}/", {"action": "apply"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Choose what to do" in response.content.decode()
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.PENDING

    response = admin_client.post(f"/schools/changes/{c.pk}/", {"action": "apply", "headteacher": "keep_both"})
    assert response.status_code == 302
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.APPLIED
    assert SchoolMembership.objects.current().filter(school=c.successor, role="headteacher").count() == 2
    assert "Undo" in admin_client.get(f"/schools/changes/{c.pk}/").content.decode()


def test_dismiss_needs_a_reason(admin_client):
    c = change()
    response = admin_client.post(f"/schools/changes/{c.pk}/", {"action": "dismiss", "reason": " "})
    assert "Give a reason for dismissing" in response.content.decode()
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.PENDING
    admin_client.post(f"/schools/changes/{c.pk}/", {"action": "dismiss", "reason": "Not converting"})
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.DISMISSED


def test_undo_from_the_page(admin_client):
    c = change()
    admin_client.post(f"/schools/changes/{c.pk}/", {"action": "apply"})
    assert School.objects.get(pk=c.school_id).status == School.Status.CLOSED
    admin_client.post(f"/schools/changes/{c.pk}/", {"action": "undo", "reason": "Applied too early"})
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.UNDONE
    assert School.objects.get(pk=c.school_id).status == School.Status.OPEN


def test_apply_all_leaves_those_with_questions_and_dismiss_all_needs_a_reason(admin_client):
    plain, asking = change(), change()
    SchoolMembershipFactory(school=asking.school, headteacher=True)
    SchoolMembershipFactory(school=asking.successor, headteacher=True)
    response = admin_client.post("/schools/changes/apply-all/", follow=True)
    assert "1 change applied. 1 need an answer first" in response.content.decode()
    assert SchoolChange.objects.get(pk=plain.pk).status == SchoolChange.Status.APPLIED
    response = admin_client.post("/schools/changes/dismiss-all/", {"reason": ""})
    assert "govuk-error-summary" in response.content.decode()
    admin_client.post("/schools/changes/dismiss-all/", {"reason": "GIAS file was wrong"})
    assert SchoolChange.objects.get(pk=asking.pk).status == SchoolChange.Status.DISMISSED


def test_old_urn_page_and_api_point_to_the_successor(admin_client, client):
    c = change()
    admin_client.post(f"/schools/changes/{c.pk}/", {"action": "apply"})
    page = client.get(f"/schools/{c.school_id}/").content.decode()
    assert "This school has closed" in page and f"/schools/{c.successor_id}/" in page
    data = client.get(f"/api/v1/schools/{c.school_id}/").json()
    assert data["succeeded_by"] == c.successor_id


def test_api_apply_without_answers_is_a_400_naming_the_question(admin_client):
    c = change()
    SchoolMembershipFactory(school=c.school, headteacher=True)
    SchoolMembershipFactory(school=c.successor, headteacher=True)
    listing = admin_client.get("/api/v1/school-changes/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["questions"][0]["key"] == "headteacher"
    response = admin_client.post(f"/api/v1/school-changes/{c.pk}/apply/", {}, content_type="application/json")
    assert response.status_code == 400
    assert "choices" in response.json()["errors"]
    response = admin_client.post(
        f"/api/v1/school-changes/{c.pk}/apply/",
        {"choices": {"headteacher": "demote_moving"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    again = admin_client.post(f"/api/v1/school-changes/{c.pk}/apply/", {}, content_type="application/json")
    assert again.status_code == 409
    undo = admin_client.post(f"/api/v1/school-changes/{c.pk}/undo/", {}, content_type="application/json")
    assert undo.json()["status"] == "undone"


def test_api_dismiss_without_reason_is_a_400(admin_client):
    c = change()
    response = admin_client.post(f"/api/v1/school-changes/{c.pk}/dismiss/", {}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert SchoolChange.objects.get(pk=c.pk).status == SchoolChange.Status.PENDING
    bad_page = admin_client.get("/api/v1/school-changes/?page=x")
    assert bad_page.status_code == 400 and "page" in str(bad_page.json())


def test_school_page_lists_predecessors_and_successors(client):
    from schools.models import SchoolLink

    old, new = SchoolFactory(name="Hill Primary"), SchoolFactory(name="Hill Academy")
    SchoolLink.objects.create(urn=new.urn, link_urn=old.urn, link_type="Predecessor", link_name="Hill Primary")
    SchoolLink.objects.create(urn=new.urn, link_urn=987654, link_type="Sixth Form Centre Link", link_name="Far Away")
    page = client.get(f"/schools/{new.urn}/").content.decode()
    assert "Linked schools" in page and "Hill Primary" in page and "Far Away" in page
    data = client.get(f"/api/v1/schools/{new.urn}/").json()
    assert [p["urn"] for p in data["predecessors"]] == [old.urn]
    assert data["other_links"][0]["in_register"] is False
    assert [s["urn"] for s in client.get(f"/api/v1/schools/{old.urn}/").json()["successors"]] == [new.urn]


def test_school_profile_shows_predecessors_and_successors(admin_client):
    from schools.models import SchoolLink

    old, new = SchoolFactory(name="Hill Primary"), SchoolFactory(name="Hill Academy")
    SchoolLink.objects.create(urn=old.urn, link_urn=new.urn, link_type="Successor", link_name="Hill Academy")
    page = admin_client.get(f"/insights/schools/{new.urn}/").content.decode()
    assert "Predecessors" in page and "Hill Primary" in page
    data = admin_client.get(f"/api/v1/insights/schools/{old.urn}/").json()
    assert [entry["urn"] for entry in data["successors"]] == [new.urn]
