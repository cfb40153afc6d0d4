"""Idempotent replays (issue 17, finding 8): every replay of a key answers exactly like the original (201 and its
body) with `Idempotent-Replayed: true`; the key with a different body is 422; concurrent replays on PostgreSQL all
get 201 and the same body, and one object is made."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import IdempotentResponse
from tests.accounts.factories import SchoolFactory, headteacher_of, programme_admin
from tests.concurrency import run_together
from tests.wands.conftest import with_two_factor
from wands import services
from wands.models import AllowanceRule, StockLevel, WandRequest

URL = "wands-api:requests"


@pytest.fixture
def school(db):
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    for phase, min_pupils, wands in [("", 0, 2), ("secondary", 0, 4), ("secondary", 750, 6), ("primary", 0, 1)]:
        AllowanceRule.objects.update_or_create(phase=phase, min_pupils=min_pupils, defaults={"wands": wands})
    StockLevel.objects.get_or_create(pk=1)
    return SchoolFactory(number_of_pupils=900, street="1 High Street", town="London", postcode="E8 1AA")


@pytest.fixture
def head(school):
    return with_two_factor(headteacher_of(school))


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(school, **overrides):
    return {
        "school_urn": school.pk,
        "quantity": 2,
        "contact_name": "Sam Site",
        "contact_phone": "020 7946 0000",
        "policy_confirmed": True,
        **overrides,
    }


def post(client, school, key, **overrides):
    return client.post(reverse(URL), payload(school, **overrides), format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
class TestReplays:
    def test_a_replay_answers_exactly_like_the_original(self, head, school):
        client = api_for(head)
        first = post(client, school, "retry-1")
        assert first.status_code == 201, first.json()
        assert "Idempotent-Replayed" not in first
        for _ in range(3):
            again = post(client, school, "retry-1")
            assert again.status_code == 201
            assert again.json() == first.json()
            assert again["Idempotent-Replayed"] == "true"
        assert WandRequest.objects.count() == 1

    def test_the_replay_is_the_original_answer_even_after_the_request_moved_on(self, head, school):
        client = api_for(head)
        first = post(client, school, "retry-2")
        services.wand_request_cancel(wand_request_id=first.json()["id"], actor=head, reason="Sent twice")
        again = post(client, school, "retry-2")
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.json()["status"] == "submitted"

    def test_the_key_in_the_body_works_like_the_header(self, head, school):
        client = api_for(head)
        first = client.post(reverse(URL), payload(school, idempotency_key="body-1"), format="json")
        again = client.post(reverse(URL), payload(school, idempotency_key="body-1"), format="json")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"

    def test_the_same_key_with_a_different_body_is_422_and_makes_nothing(self, head, school):
        client = api_for(head)
        first = post(client, school, "retry-3")
        other = post(client, school, "retry-3", quantity=3)
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"
        assert "different request" in other.json()["errors"]["idempotency_key"][0]
        assert "Idempotent-Replayed" not in other
        assert list(WandRequest.objects.values_list("pk", "quantity")) == [(first.json()["id"], 2)]

    def test_a_refused_request_keeps_nothing_so_a_corrected_retry_runs(self, head, school):
        client = api_for(head)
        refused = post(client, school, "retry-4", quantity=7)
        assert refused.status_code == 400 and refused.json()["code"] == "allowance_exceeded"
        assert not IdempotentResponse.objects.exists()
        corrected = post(client, school, "retry-4", quantity=2)
        assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
        assert WandRequest.objects.count() == 1

    def test_keys_belong_to_one_person(self, head, school):
        other = with_two_factor(headteacher_of(school))
        mine = post(api_for(head), school, "shared-key", quantity=1)
        theirs = post(api_for(other), school, "shared-key", quantity=1)
        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert mine.json()["id"] != theirs.json()["id"] and "Idempotent-Replayed" not in theirs

    def test_without_a_key_each_request_is_new(self, head, school):
        client = api_for(head)
        first = client.post(reverse(URL), payload(school, quantity=1), format="json")
        second = client.post(reverse(URL), payload(school, quantity=1), format="json")
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["id"] != second.json()["id"]

    def test_an_overlong_header_key_is_400(self, head, school):
        response = post(api_for(head), school, "k" * 65)
        assert response.status_code == 400 and "idempotency_key" in response.json()["errors"]
        assert not WandRequest.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_all_answer_201_with_one_body_and_one_object(school, head):
    programme_admin()  # the new-request email goes to admins: have one, as in production

    def send():
        response = post(api_for(head), school, "race-key")
        return response.status_code, response.json(), response.get("Idempotent-Replayed")

    results = run_together([send] * 20)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [status for status, _, _ in results] == [201] * 20, results
    bodies = {repr(sorted(body.items())) for _, body, _ in results}
    assert len(bodies) == 1, bodies
    assert sorted(replayed or "" for _, _, replayed in results) == [""] + ["true"] * 19
    assert WandRequest.objects.filter(school=school).count() == 1
    assert IdempotentResponse.objects.count() == 1
