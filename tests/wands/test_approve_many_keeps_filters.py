"""Bulk approval returns the admin to the queue as they filtered it (status, borough, dates, sort, page), and the
address it returns to is always the queue's: nothing posted can send the admin elsewhere."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.accounts.factories import SchoolFactory, london_authority
from wands.models import WandRequest

from .factories import WandRequestFactory

pytestmark = pytest.mark.django_db


def _query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_approving_from_a_filtered_queue_returns_to_the_same_filters(client, admin, add_stock, rules):
    add_stock(20)
    camden = london_authority(202)
    in_camden = [WandRequestFactory(school=SchoolFactory(local_authority=camden)) for _ in range(2)]
    elsewhere = WandRequestFactory()
    client.force_login(admin)
    filters = {
        "status": "submitted",
        "borough": str(camden.pk),
        "submitted_from_day": "1",
        "submitted_from_month": "1",
        "submitted_from_year": "2020",
        "sort": "-submitted",
    }
    queue = client.get(reverse("wands:queue"), filters)
    body = queue.content.decode()
    assert 'name="queue_filters"' in body
    posted = queue.context["request"].GET.urlencode()
    response = client.post(
        reverse("wands:approve_many"), {"requests": [in_camden[0].pk], "queue_filters": posted}, follow=True
    )
    landed, status = response.redirect_chain[-1]
    assert status == 302 and urlsplit(landed).path == reverse("wands:queue")
    assert _query(landed) == {name: [value] for name, value in filters.items()}
    # The page shown is the filtered one: the other Camden request, not the request elsewhere.
    shown = [r.pk for r in response.context["page"].object_list]
    assert shown == [in_camden[1].pk] and elsewhere.pk not in shown
    assert "1 request approved" in response.content.decode()
    in_camden[0].refresh_from_db()
    assert in_camden[0].status == WandRequest.Status.APPROVED


def test_nothing_selected_also_returns_to_the_filtered_queue(client, admin, rules):
    client.force_login(admin)
    response = client.post(reverse("wands:approve_many"), {"queue_filters": "status=submitted&page=2"})
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("wands:queue")
    assert _query(response.url) == {"status": ["submitted"], "page": ["2"]}


@pytest.mark.parametrize(
    "posted",
    ["next=https://evil.example/", "//evil.example/?status=submitted", "status=submitted&next=/accounts/"],
)
def test_only_the_queues_own_parameters_are_kept(client, admin, rules, posted):
    client.force_login(admin)
    response = client.post(reverse("wands:approve_many"), {"queue_filters": posted})
    assert response.status_code == 302
    assert response.url.startswith(reverse("wands:queue"))
    assert "evil" not in response.url and "next" not in response.url


def test_without_filters_it_returns_to_the_plain_queue(client, admin, rules):
    client.force_login(admin)
    response = client.post(reverse("wands:approve_many"), {})
    assert response.url == reverse("wands:queue")
