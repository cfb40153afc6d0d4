"""After assigning, as an allocator walks it: the next school is worded by what it asked for, follows the queue's
sort and filter as the allocator left them, and the school's earlier officers leave out the current one."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from officers.models import Assignment, OfficerRequest
from tests.accounts.factories import SchoolFactory, london_authority

from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _next_box(body: str) -> str:
    return body.split('id="next-school"')[1].split("</div>")[0]


def test_a_change_request_is_worded_as_asking_for_a_different_officer(client, alloc, school, near, far):
    other = SchoolFactory(name="Wants A Change School", latitude=51.546, longitude=-0.057)
    AssignmentFactory(school=other, officer=far, start_date=date(2024, 1, 1))
    OfficerRequest.objects.create(school=other, kind=OfficerRequest.Kind.CHANGE, reason="Officer moved away")
    client.force_login(alloc)
    body = client.post(
        reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk}, follow=True
    ).content.decode()
    box = _next_box(body)
    assert "Wants A Change School" in box
    assert "asked for a different officer" in box and "asked for an officer" not in box


def test_a_request_for_a_first_officer_is_worded_as_asking_for_an_officer(client, alloc, school, near):
    other = SchoolFactory(name="Wants One School", latitude=51.546, longitude=-0.057)
    OfficerRequest.objects.create(school=other, kind=OfficerRequest.Kind.NEW, reason="No contact yet")
    client.force_login(alloc)
    body = client.post(
        reverse("officers:school_detail", kwargs={"urn": school.pk}), {"officer": near.pk}, follow=True
    ).content.decode()
    box = _next_box(body)
    assert "Wants One School" in box and "asked for an officer" in box and "different" not in box


def test_earlier_named_officers_leave_out_the_current_one(client, alloc, school, near, far):
    AssignmentFactory(
        school=school,
        officer=far,
        start_date=date(2023, 9, 1),
        end_date=date(2024, 7, 1),
        end_reason="Moved to another BCU",
    )
    AssignmentFactory(school=school, officer=near, start_date=date(2024, 7, 2))
    client.force_login(alloc)
    body = client.get(reverse("officers:school_detail", kwargs={"urn": school.pk})).content.decode()
    assert near.name in body.split('id="current-officer"')[1].split("</dd>")[0]
    earlier = body.split("Earlier named officers</caption>")[1].split("</table>")[0]
    assert far.name in earlier and "Moved to another BCU" in earlier
    assert near.name not in earlier


def test_no_earlier_officers_table_when_the_current_is_the_only_one(client, alloc, school, near):
    AssignmentFactory(school=school, officer=near)
    client.force_login(alloc)
    body = client.get(reverse("officers:school_detail", kwargs={"urn": school.pk})).content.decode()
    assert "Earlier named officers" not in body


@pytest.fixture
def two_waiting(reference_data):
    """Two schools waiting: "Aardvark" waited least but sorts first by name; "Zebra" waited longest."""
    zebra = SchoolFactory(name="Zebra Primary", latitude=51.546, longitude=-0.057, open_date=date(2000, 1, 1))
    aardvark = SchoolFactory(
        name="Aardvark Primary", latitude=51.547, longitude=-0.058, open_date=date.today() - timedelta(days=3)
    )
    return zebra, aardvark


def test_next_school_follows_the_sort_the_allocator_chose(client, alloc, school, near, two_waiting):
    zebra, aardvark = two_waiting
    client.force_login(alloc)
    url = reverse("officers:school_detail", kwargs={"urn": school.pk})
    # The queue's links carry its sort to the school's page.
    queue = client.get(reverse("officers:queue"), {"sort": "name"}).content.decode()
    assert f"{url}?sort=name" in queue
    body = client.post(f"{url}?sort=name", {"officer": near.pk}, follow=True).content.decode()
    assert "Aardvark Primary" in _next_box(body)
    assert f'href="{reverse("officers:queue")}?sort=name"' in body  # back to the queue as it was
    by_days = client.get(f"{url}?sort=days").content.decode()
    assert "Zebra Primary" in _next_box(by_days)


def test_next_school_follows_the_bcu_filter(client, school, near, reference_data):
    from .factories import allocator

    alloc = allocator("central-east", "central-north")
    elsewhere = SchoolFactory(
        name="Aaa Islington School",
        local_authority=london_authority(206),
        latitude=51.54,
        longitude=-0.10,
        open_date=date(1990, 1, 1),
    )
    in_bcu = SchoolFactory(name="Zzz Hackney School", latitude=51.546, longitude=-0.057, open_date=date(2020, 1, 1))
    assert elsewhere.local_authority.bcu_id != in_bcu.local_authority.bcu_id
    client.force_login(alloc)
    url = reverse("officers:school_detail", kwargs={"urn": school.pk})
    unfiltered = client.post(f"{url}?sort=name", {"officer": near.pk}, follow=True).content.decode()
    assert "Aaa Islington School" in _next_box(unfiltered)
    bcu_id = school.local_authority.bcu_id
    filtered = client.get(f"{url}?bcu={bcu_id}&sort=name").content.decode()
    assert "Zzz Hackney School" in _next_box(filtered)
    assert Assignment.objects.filter(school=school).count() == 1


def test_a_bcu_outside_the_allocators_scope_is_ignored(client, alloc, school, near):
    AssignmentFactory(school=school, officer=near)
    client.force_login(alloc)
    response = client.get(reverse("officers:school_detail", kwargs={"urn": school.pk}), {"bcu": "999999"})
    assert response.status_code == 200


def test_ending_a_named_officer_keeps_the_queues_sort_and_filter(client, alloc, school, near):
    AssignmentFactory(school=school, officer=near, start_date=date(2024, 1, 1))
    client.force_login(alloc)
    detail = reverse("officers:school_detail", kwargs={"urn": school.pk})
    end = reverse("officers:assignment_end", kwargs={"urn": school.pk})
    page = client.get(f"{detail}?sort=days").content.decode()
    assert f'href="{end}?sort=days"' in page  # "End" carries the queue's sort
    form = client.get(f"{end}?sort=days").content.decode()
    assert f'href="{detail}?sort=days" class="govuk-back-link"' in form

    response = client.post(f"{end}?sort=days", {"reason": "Moved to another BCU"})

    assert response.status_code == 302 and response["Location"] == f"{detail}?sort=days"
    assert not Assignment.objects.filter(school=school, end_date=None).exists()
    back = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("officers:queue")}?sort=days" class="govuk-back-link"' in back


def test_a_sort_that_is_not_one_is_not_carried_back(client, alloc, school, near):
    AssignmentFactory(school=school, officer=near, start_date=date(2024, 1, 1))
    client.force_login(alloc)
    end = reverse("officers:assignment_end", kwargs={"urn": school.pk})
    response = client.post(f"{end}?sort=%3Cscript%3E", {"reason": "Moved to another BCU"})
    assert response["Location"] == reverse("officers:school_detail", kwargs={"urn": school.pk})
