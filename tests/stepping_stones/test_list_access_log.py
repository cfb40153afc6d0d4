"""Each page of the API referral list leaves exactly ONE access record (a single insert, whatever the page size):
who, when, the references on the page and the filters; never a pupil's name, UPN or date of birth."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from stepping_stones import selectors, services
from tests.accounts.factories import programme_admin

pytestmark = pytest.mark.django_db
LISTED = "stepping_stones.referrals.listed"


@pytest.fixture
def referrals(make_referral):
    return [make_referral(n) for n in range(4)]


def _list(user, **params):
    api = APIClient()
    api.force_authenticate(user)
    return api.get(reverse("stepping_stones-api:referrals"), params)


def test_the_verb_is_the_one_the_access_log_reads():
    assert services.LIST_VERB == selectors.REFERRALS_LISTED_VERB == LISTED


def test_a_list_page_leaves_one_record_naming_its_references(referrals, vru):
    before = AuditEvent.objects.count()
    response = _list(vru, status="submitted", cohort="2026", page_size=3)
    assert response.status_code == 200
    shown = [row["reference"] for row in response.json()["results"]]
    assert len(shown) == 3
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(verb=LISTED)
    assert event.actor_id == vru.pk and event.actor_label == vru.email and event.created_at
    assert event.data["references"] == shown
    assert event.data["filters"] == {"status": "submitted", "cohort": "2026"}
    assert event.data["what"] == "api list"
    # The next page is another request: one more record, naming only its own references.
    second = _list(vru, cursor=response.json()["next"].split("cursor=")[1].split("&")[0], page_size=3)
    assert second.status_code == 200
    assert AuditEvent.objects.filter(verb=LISTED).count() == 2
    latest = AuditEvent.objects.filter(verb=LISTED).latest("id")
    assert latest.data["references"] == [row["reference"] for row in second.json()["results"]]


def test_the_record_holds_no_pupil_details(referrals, secondary_lead):
    assert _list(secondary_lead).status_code == 200
    event = AuditEvent.objects.get(verb=LISTED)
    assert sorted(event.data["references"]) == sorted(r.reference for r in referrals)
    stored = json.dumps(
        [event.target_label, event.reason, event.from_state, event.to_state, event.data], default=str
    ).lower()
    for referral in referrals:
        for personal in (
            referral.first_name,
            referral.last_name,
            referral.upn,
            referral.date_of_birth.isoformat(),
            referral.date_of_birth.strftime("%d/%m/%Y"),
            referral.strengths,
            referral.known_by_name,
        ):
            assert personal.lower() not in stored, personal


def test_an_empty_page_is_logged_too(vru, cohort):
    assert _list(vru, status="completed").json()["results"] == []
    assert AuditEvent.objects.get(verb=LISTED).data == {
        "what": "api list",
        "references": [],
        "filters": {"status": "completed"},
    }


def test_a_refused_list_logs_nothing(referrals):
    assert _list(programme_admin()).status_code == 403
    assert not AuditEvent.objects.filter(verb=LISTED).exists()


def test_the_pupils_access_log_shows_the_list_pages_it_appeared_on(referrals, vru, secondary_lead):
    _list(secondary_lead, page_size=2)  # the two newest only
    newest, oldest = referrals[-1], referrals[0]
    newest_log = list(selectors.referral_access_log(vru, newest).values_list("verb", flat=True))
    oldest_log = list(selectors.referral_access_log(vru, oldest).values_list("verb", flat=True))
    assert LISTED in newest_log and LISTED not in oldest_log
    api = APIClient()
    api.force_authenticate(vru)
    entries = api.get(reverse("stepping_stones-api:access-log", kwargs={"reference": newest.reference})).json()
    assert any(
        entry["what"] == "referrals.listed" and entry["who"] == secondary_lead.email for entry in entries["results"]
    )


def test_the_list_makes_one_insert_however_long_the_page(make_referral, vru, django_assert_max_num_queries):
    make_referral(0)
    with django_assert_max_num_queries(12) as small:
        _list(vru)
    for n in range(1, 30):
        make_referral(n)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        _list(vru)
    inserts = [q["sql"] for q in large.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "core_auditevent" in inserts[0].lower()


def test_the_page_list_leaves_one_record_too(referrals, client, secondary_lead):
    client.force_login(secondary_lead)
    response = client.get(reverse("stepping_stones:referral_list"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb=LISTED)
    assert event.data["what"] == "page list"
    assert sorted(event.data["references"]) == sorted(r.reference for r in referrals)
    assert event.actor_id == secondary_lead.pk
