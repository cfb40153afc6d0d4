"""Issue 18: one error shape (RFC 9457 problem details) on every 4xx/5xx under /api/, whatever layer wrote it;
ETag / If-Match (428, 412) on single objects; Idempotency-Key on creates; RateLimit-* headers when throttled; and the
schema documents all of it."""

import json

import pytest
import yaml
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from core.api.problems import PROBLEM_CONTENT_TYPE
from core.api.throttling import PublicReadThrottle
from core.models import AuditEvent
from education_toolkit.models import SearchSynonym
from tests.accounts.factories import UserFactory
from tests.education_toolkit.factories import toolkit_editor

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = json.loads(response.content)
    assert set(body) >= PROBLEM_KEYS, body
    assert (body["status"], body["code"], body["type"]) == (status, code, "about:blank")
    assert body["title"] and body["detail"] and body["instance"].startswith("/api/")
    assert "<html" not in response.content.decode().lower()
    return body


@pytest.fixture
def editor():
    return toolkit_editor()


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def synonym():
    return SearchSynonym.objects.create(term="blade", alternatives="knife")


# --- one error shape -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_404_problem(client, method):
    body = assert_problem(getattr(client, method)("/api/v1/no-such-thing/"), 404, "not_found")
    assert body["instance"] == "/api/v1/no-such-thing/"
    assert_problem(client.get("/api/v2/"), 404, "not_found")


def test_an_unknown_id_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/toolkit/synonyms/999999/"), 404, "not_found")


def test_field_errors_are_keyed_by_field_with_messages(api):
    before = SearchSynonym.objects.count()
    body = assert_problem(api.post("/api/v1/toolkit/synonyms/", {"term": ""}, format="json"), 400, "invalid")
    assert set(body["errors"]) == {"term", "alternatives"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    assert SearchSynonym.objects.count() == before


def test_malformed_json_is_a_400_parse_error(api):
    response = api.generic("POST", "/api/v1/toolkit/synonyms/", "{not json", content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_no_credentials_and_a_bad_token_are_401_problems(client):
    assert_problem(client.get("/api/v1/me/"), 401, "not_authenticated")
    refused = Client(HTTP_AUTHORIZATION="Bearer lssp_nonsense").get("/api/v1/me/")
    assert_problem(refused, 401, "authentication_failed")
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_role_refusal_is_a_403_problem():
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert_problem(client.get("/api/v1/toolkit/synonyms/"), 403, "permission_denied")


def test_method_not_allowed_is_a_405_problem_with_allow(api):
    response = api.delete("/api/v1/toolkit/synonyms/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_format_that_cannot_be_given_is_a_406_problem(api):
    assert_problem(api.get("/api/v1/toolkit/synonyms/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable")


def test_a_form_body_is_a_415_problem(api):
    response = api.post("/api/v1/toolkit/synonyms/", {"term": "x"}, format="multipart")
    assert_problem(response, 415, "unsupported_media_type")


def test_csrf_failure_under_api_is_a_problem():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())  # no role needing two-factor
    assert_problem(client.post("/api/v1/me/tokens/", {}, content_type="application/json"), 403, "csrf_failed")


def test_two_factor_required_is_a_problem(editor):
    client = Client()
    client.force_login(editor)  # a VRU role without an authenticator yet
    assert_problem(client.get("/api/v1/toolkit/synonyms/"), 403, "two_factor_required")


def test_throttled_is_a_429_problem_with_retry_after_and_ratelimit_headers(client, monkeypatch):
    monkeypatch.setattr(PublicReadThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "5/min"})
    first = client.get("/api/v1/bcus/")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    second = client.get("/api/v1/bcus/")
    assert second["RateLimit-Remaining"] == "0"
    refused = client.get("/api/v1/bcus/")
    assert_problem(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0
    assert (refused["RateLimit-Limit"], refused["RateLimit-Remaining"]) == ("2", "0")


def test_an_unthrottled_operation_sends_no_ratelimit_headers(api):
    assert "RateLimit-Limit" not in api.get("/api/v1/toolkit/synonyms/")


@override_settings(ROOT_URLCONF="tests.core.urls_api_errors")
def test_a_crash_under_api_is_a_500_problem_not_a_page():
    client = Client(raise_request_exception=False)
    body = assert_problem(client.get("/api/core-test/broken/"), 500, "server_error")
    assert body["request_id"]
    assert "Traceback" not in body["detail"]


@override_settings(ROOT_URLCONF="tests.core.urls_api_errors")
def test_any_other_error_answer_under_api_becomes_a_problem(client):
    body = assert_problem(client.get("/api/core-test/plain-json/"), 400, "invalid")
    assert body["errors"] == {"bcu_id": ["Choose one of your BCUs."]}
    assert_problem(client.post("/api/core-test/get-only/"), 405, "method_not_allowed")


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


# --- ETag and If-Match ---------------------------------------------------------------------------------------------


def test_a_single_object_get_has_a_stable_etag_and_304s(api, synonym):
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    first, again = api.get(url), api.get(url)
    assert first["ETag"].startswith('"') and first["ETag"] == again["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    SearchSynonym.objects.filter(pk=synonym.pk).update(alternatives="knife, blade")
    assert api.get(url)["ETag"] != first["ETag"]


def test_patch_without_if_match_is_428_and_writes_nothing(api, synonym):
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    body = assert_problem(api.patch(url, {"alternatives": ["sword"]}, format="json"), 428, "precondition_required")
    assert "If-Match" in body["detail"]
    synonym.refresh_from_db()
    assert synonym.alternatives == "knife"
    assert not AuditEvent.objects.filter(verb__startswith="toolkit_synonym").exists()


def test_patch_with_the_current_etag_succeeds_and_answers_the_new_etag(api, synonym):
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {"alternatives": ["sword"]}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] == api.get(url)["ETag"] != etag
    # The first writer's ETag is now stale: a second PATCH with it is 412 and changes nothing.
    stale = api.patch(url, {"alternatives": ["axe"]}, format="json", HTTP_IF_MATCH=etag)
    assert_problem(stale, 412, "precondition_failed")
    assert stale["ETag"] == response["ETag"]
    synonym.refresh_from_db()
    assert synonym.alternatives_list == ["sword"]


def test_put_needs_if_match_too(api, synonym):
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    assert_problem(api.put(url, {"term": "blade", "alternatives": ["x"]}, format="json"), 428, "precondition_required")


def test_delete_accepts_if_match(api, synonym):
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    assert_problem(api.delete(url, HTTP_IF_MATCH='"stale"'), 412, "precondition_failed")
    assert SearchSynonym.objects.filter(pk=synonym.pk).exists()
    assert api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"]).status_code == 204


def test_a_caller_who_may_not_read_the_object_gets_the_operations_own_answer(synonym):
    client = APIClient()
    client.force_authenticate(UserFactory())
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    assert_problem(client.patch(url, {"alternatives": ["x"]}, format="json"), 403, "permission_denied")
    assert_problem(APIClient().patch(url, {}, format="json"), 401, "not_authenticated")


# --- Idempotency-Key on creates -------------------------------------------------------------------------------------


def test_a_create_replays_with_the_same_key_and_refuses_it_with_another_body(api):
    payload = {"term": "trapping", "alternatives": ["county lines"]}
    first = api.post("/api/v1/toolkit/synonyms/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/toolkit/synonyms/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert SearchSynonym.objects.filter(term="trapping").count() == 1
    other = {"term": "trapping", "alternatives": ["cuckooing"]}
    refused = api.post("/api/v1/toolkit/synonyms/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_problem(refused, 422, "idempotency_key_reused")


def test_a_failed_create_keeps_nothing_so_the_key_can_be_retried(api):
    bad = api.post("/api/v1/toolkit/synonyms/", {"term": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert_problem(bad, 400, "invalid")
    good = {"term": "trapping", "alternatives": ["county lines"]}
    assert api.post("/api/v1/toolkit/synonyms/", good, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


# --- the schema documents it ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_its_errors_as_problem_details(schema):
    assert "ProblemDetails" in schema["components"]["schemas"]
    for path, method, operation in _operations(schema):
        errors = {status: r for status, r in operation["responses"].items() if status[0] in "45"}
        assert {"400", "401", "403"} <= set(errors), f"{method} {path}"
        if "{" in path:
            assert "404" in errors, f"{method} {path}"
        for status, response in errors.items():
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
            }, f"{method} {path} {status}"


def test_patch_and_put_require_if_match_and_document_428_and_412(schema):
    writes = [(p, m, o) for p, m, o in _operations(schema) if m in {"patch", "put"}]
    assert writes
    for path, method, operation in writes:
        if_match = [p for p in operation["parameters"] if p["name"] == "If-Match" and p["in"] == "header"]
        assert if_match and if_match[0]["required"], f"{method} {path}"
        assert {"412", "428"} <= set(operation["responses"]), f"{method} {path}"


def test_actions_on_one_object_accept_if_match(schema):
    approve = schema["paths"]["/api/v1/wands/requests/{id}/approve/"]["post"]
    if_match = [p for p in approve["parameters"] if p["name"] == "If-Match"]
    assert if_match and not if_match[0]["required"] and "412" in approve["responses"]


# Creates that keep nothing, and why (docs/api.md): a token's or a system's secret is shown once; pupil details stay
# in the record.
NOT_IDEMPOTENT = {
    ("/api/v1/me/tokens/", "post"),
    ("/api/v1/api-clients/", "post"),
    ("/api/v1/stepping-stones/referrals/", "post"),
}


def test_every_create_takes_an_idempotency_key(schema):
    creates = [
        (path, method, operation)
        for path, method, operation in _operations(schema)
        if method == "post" and {"201", "202"} & set(operation["responses"])
    ]
    assert len(creates) > 15
    for path, method, operation in creates:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if (path, method) in NOT_IDEMPOTENT:
            assert "Idempotency-Key" not in headers
            continue
        assert "Idempotency-Key" in headers, path
        assert "422" in operation["responses"], path


def test_throttled_operations_document_ratelimit_headers(schema):
    get = schema["paths"]["/api/v1/bcus/"]["get"]
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(get["responses"]["200"]["headers"])
    assert "Retry-After" in get["responses"]["429"]["headers"]


def test_the_single_object_get_documents_its_etag(schema):
    get = schema["paths"]["/api/v1/toolkit/synonyms/{id}/"]["get"]
    assert "ETag" in get["responses"]["200"]["headers"]


def test_url_names_used_here_exist():
    assert reverse("toolkit-api:synonym", kwargs={"pk": 1}) == "/api/v1/toolkit/synonyms/1/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_etag_at_once_get_one_write_and_one_412():
    """The If-Match check and the write are one transaction, and checked writes to one object take turns: without
    that, both would pass the check before either wrote, and the second would overwrite the first unseen."""
    from tests.concurrency import run_together

    editor = toolkit_editor()
    synonym = SearchSynonym.objects.create(term="blade", alternatives="knife")
    url = f"/api/v1/toolkit/synonyms/{synonym.pk}/"
    reader = APIClient()
    reader.force_authenticate(editor)
    etag = reader.get(url)["ETag"]

    def write(word):
        def patch():
            client = APIClient()
            client.force_authenticate(editor)
            return client.patch(url, {"alternatives": [word]}, format="json", HTTP_IF_MATCH=etag).status_code

        return patch

    for attempt in range(5):
        results = run_together([write(f"sword{attempt}"), write(f"axe{attempt}")])
        assert sorted(results) == [200, 412], results
        synonym.refresh_from_db()
        assert len(synonym.alternatives_list) == 1
        etag = reader.get(url)["ETag"]
