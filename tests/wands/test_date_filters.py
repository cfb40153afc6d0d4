"""Date filters use the GOV.UK date input pattern (day, month, year boxes), not the browser's date field; the API
keeps its ISO dates through the same filter."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from wands.models import WandRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_requests(submit):
    old, new = submit(1), submit(1)
    WandRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return old, new


def _references(response):
    return [r.reference for r in response.context["page"].object_list]


def test_the_queue_has_day_month_year_boxes_and_no_browser_date_field(client, admin):
    client.force_login(admin)
    html = client.get(reverse("wands:queue")).content.decode()
    assert 'type="date"' not in html
    for part in ("day", "month", "year"):
        assert f'name="submitted_from_{part}"' in html and f'name="submitted_to_{part}"' in html
    assert "govuk-date-input" in html


def test_filtering_by_day_month_and_year(client, admin, two_requests):
    old, new = two_requests
    since = timezone.localdate() - timedelta(days=10)
    client.force_login(admin)
    response = client.get(
        reverse("wands:queue"),
        {"submitted_from_day": since.day, "submitted_from_month": since.month, "submitted_from_year": since.year},
    )
    assert _references(response) == [new.reference]
    assert f'name="submitted_from_day" type="text" inputmode="numeric" value="{since.day}"' in response.content.decode()


def _box_classes(html: str, box_id: str) -> str:
    match = re.search(rf'<input class="([^"]*)" id="{box_id}"', html)
    assert match, f"no input {box_id}"
    return match.group(1)


def test_a_date_that_is_not_real_gets_an_error_linked_to_the_day_box(client, admin, two_requests):
    """As on the audit log (core.date_input): a date that cannot be marks every box and links to the day box; a date
    with a box left empty says which, marks only that box and links to it."""
    client.force_login(admin)
    real_date = "Submitted to must be a real date, like 27 3 2026"
    for bad, message, marked in (
        (
            {"submitted_to_day": "31", "submitted_to_month": "2", "submitted_to_year": "2026"},
            real_date,
            ("day", "month", "year"),
        ),
        (
            {"submitted_to_day": "3", "submitted_to_month": "", "submitted_to_year": "2026"},
            "Submitted to must include a month",
            ("month",),
        ),
        (
            {"submitted_to_day": "x", "submitted_to_month": "2", "submitted_to_year": "26"},
            real_date,
            ("day", "month", "year"),
        ),
    ):
        response = client.get(reverse("wands:queue"), bad)
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html
        first = "id_submitted_to" if marked[0] == "day" else f"id_submitted_to_{marked[0]}"
        assert f'href="#{first}"' in html and f'id="{first}"' in html
        for part in ("day", "month", "year"):
            box = "id_submitted_to" if part == "day" else f"id_submitted_to_{part}"
            assert ("govuk-input--error" in _box_classes(html, box)) is (part in marked), (bad, part)


def test_the_api_still_takes_iso_dates(admin, two_requests):
    old, new = two_requests
    api = APIClient()
    api.force_authenticate(admin)
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    body = api.get(reverse("wands-api:requests"), {"submitted_from": since}).json()
    assert [r["reference"] for r in body["results"]] == [new.reference]
    assert api.get(reverse("wands-api:requests"), {"submitted_from": "not-a-date"}).status_code == 400


def test_a_range_that_ends_before_it_starts_says_so_on_the_page_and_in_the_api(client, admin, two_requests):
    """Walking the queue as a programme admin, 6/12 to 1/12 showed an empty area with no message."""
    client.force_login(admin)
    today = timezone.localdate()
    earlier = today - timedelta(days=5)
    response = client.get(
        reverse("wands:queue"),
        {
            "submitted_from_day": today.day,
            "submitted_from_month": today.month,
            "submitted_from_year": today.year,
            "submitted_to_day": earlier.day,
            "submitted_to_month": earlier.month,
            "submitted_to_year": earlier.year,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Submitted to must be the same as or after submitted from" in html and "govuk-error-summary" in html
    api = APIClient()
    api.force_authenticate(admin)
    refused = api.get(
        reverse("wands-api:requests"), {"submitted_from": today.isoformat(), "submitted_to": earlier.isoformat()}
    )
    assert refused.status_code == 400 and "submitted_to" in refused.json()["errors"]


def test_a_bad_date_says_error_in_the_title_and_offers_no_csv_of_every_request(client, admin, two_requests):
    """Found in a persona walk: with a date in error the page kept its CSV link, which downloaded every request (the
    filters ignored), and the title did not say "Error:"."""
    client.force_login(admin)
    bad = {"status": "submitted", "submitted_from_day": "1", "submitted_from_month": "11", "submitted_from_year": ""}
    html = client.get(reverse("wands:queue"), bad).content.decode()
    assert re.search(r"<title>\s*Error: Wand requests", html)
    assert "Download these requests (CSV)" not in html
    assert "Correct the filters to see the requests." in html
    export = client.get(reverse("wands:export_csv"), bad)
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")
    assert "Submitted from must include a year" in export.content.decode()
    good = client.get(reverse("wands:queue")).content.decode()
    assert "Download these requests (CSV)" in good and not re.search(r"<title>\s*Error:", good)


def test_filters_that_match_nothing_say_so(client, admin, two_requests):
    client.force_login(admin)
    html = client.get(reverse("wands:queue"), {"status": "delivered"}).content.decode()
    assert "No requests match these filters." in html
    assert "Download these requests (CSV)" not in html  # it would be a file of column headings only
