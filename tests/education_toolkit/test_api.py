"""The toolkit API: browse, search, facet counts, downloads with the same rules as the pages, analytics."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from education_toolkit import selectors, services
from education_toolkit.models import Download, ResourceTag

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_list_filters_and_search(api):
    ResourceFactory(title="Stop and think", tags=[("key_stage", "ks3")])
    ResourceFactory(title="Assembly on loss", resource_type="assembly", tags=[("key_stage", "ks3")])
    ResourceFactory(title="Hidden draft", draft=True, tags=[("key_stage", "ks3")])
    response = api.get(reverse("toolkit-api:resources"), {"key_stage": "ks3", "resource_type": "lesson_plan"})
    assert response.status_code == 200
    assert [r["title"] for r in response.json()["results"]] == ["Stop and think"]
    assert response.json()["results"][0]["key_stages"] == ["ks3"]
    found = api.get(reverse("toolkit-api:resources"), {"q": "loss"}).json()["results"]
    assert [r["title"] for r in found] == ["Assembly on loss"]


def test_bad_filter_is_a_400_with_the_field(api):
    response = api.get(reverse("toolkit-api:resources"), {"key_stage": "ks42"})
    assert response.status_code == 400 and "key_stage" in response.json()["errors"]


def test_facet_counts(api):
    ResourceFactory(tags=[("key_stage", "ks3"), ("audience", "faith")])
    ResourceFactory(tags=[("key_stage", "ks3")])
    body = api.get(reverse("toolkit-api:facets"), {"key_stage": "ks3"}).json()
    assert body["total"] == 2 and body["key_stage"]["ks3"] == 2 and body["audience"]["faith"] == 1


@pytest.mark.parametrize("size", [10, 1000])
def test_list_query_count_is_flat(api, size, django_assert_num_queries):
    resources = ResourceFactory.create_batch(size)
    ResourceTag.objects.bulk_create([ResourceTag(resource=r, kind="topic", value="law") for r in resources])
    with django_assert_num_queries(3):  # count, page, tags
        response = api.get(reverse("toolkit-api:resources"), {"topic": "law"})
    assert response.json()["count"] == size


def test_detail_lists_current_files(api):
    resource = ResourceFactory()
    file = with_file(resource, title="Plan")
    body = api.get(reverse("toolkit-api:resource", kwargs={"slug": resource.slug})).json()
    assert [f["id"] for f in body["files"]] == [file.current_version_id]
    assert body["safeguarding_notes"] == resource.safeguarding_notes


def test_zip_download_with_terms(api, teacher):
    resource = ResourceFactory()
    files = [with_file(resource, title=t) for t in ("Plan", "Slides", "Extra")]
    api.force_authenticate(teacher)
    url = reverse("toolkit-api:resource-zip", kwargs={"slug": resource.slug})
    response = api.post(url, {"files": [files[0].current_version_id, files[1].current_version_id]}, format="json")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.namelist() == [f"{resource.slug}_plan_v1.pdf", f"{resource.slug}_slides_v1.pdf"]
        # Dated the day they were downloaded (zipfile's default is 1 January 1980).
        today = timezone.localdate()
        assert {info.date_time[:3] for info in archive.infolist()} == {(today.year, today.month, today.day)}
    assert f'filename="{resource.slug}_files.zip"' in response["Content-Disposition"]


def test_zip_naming_another_resources_file_is_a_400(api, teacher):
    resource, other = ResourceFactory(), ResourceFactory()
    with_file(resource)
    theirs = with_file(other)
    api.force_authenticate(teacher)
    response = api.post(
        reverse("toolkit-api:resource-zip", kwargs={"slug": resource.slug}),
        {"files": [theirs.current_version_id]},
        format="json",
    )
    assert response.status_code == 400 and "files" in response.json()["errors"]
    assert not Download.objects.exists()


def test_terms_needed_then_accepted_once(api):
    from tests.accounts.factories import UserFactory

    user = UserFactory()
    resource = ResourceFactory()
    file = with_file(resource)
    api.force_authenticate(user)
    url = reverse("toolkit-api:file-download", kwargs={"version_id": file.current_version_id})
    refused = api.get(url)
    assert refused.status_code == 400 and "accept_terms" in refused.json()["errors"]
    assert api.post(reverse("toolkit-api:terms")).json() == {"terms_version": selectors.TERMS_VERSION, "accepted": True}
    assert api.get(url).status_code == 200


def test_restricted_items(api, community_member):
    resource = ResourceFactory(verified=True)
    file = with_file(resource)
    url = reverse("toolkit-api:file-download", kwargs={"version_id": file.current_version_id})
    assert api.get(url).status_code == 401
    api.force_authenticate(community_member)
    response = api.get(url)
    assert response.status_code == 403 and "verified" in response.json()["detail"]
    assert not Download.objects.exists()


def test_analytics_for_editors_only(api, editor, teacher):
    resource = ResourceFactory(title="Counted")
    with_file(resource)
    services.downloads_record(user=teacher, resource=resource)
    api.force_authenticate(teacher)
    assert api.get(reverse("toolkit-api:analytics")).status_code == 403
    api.force_authenticate(editor)
    body = api.get(reverse("toolkit-api:analytics")).json()
    assert body["total_downloads"] == 1 and body["by_resource"][0]["title"] == "Counted"


def test_schema_has_the_toolkit(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/toolkit/resources/" in schema["paths"]
    assert "ToolkitAnalytics" in schema["components"]["schemas"]


def test_callers_without_an_account_accept_the_terms_on_each_call(api):
    resource = ResourceFactory()
    file = with_file(resource, title="Plan")
    zip_url = reverse("toolkit-api:resource-zip", kwargs={"slug": resource.slug})
    refused = api.post(zip_url, {"all": True}, format="json")
    assert refused.status_code == 400 and "accept_terms" in refused.json()["errors"]
    assert api.post(zip_url, {"all": True, "accept_terms": True}, format="json").status_code == 200
    file_url = reverse("toolkit-api:file-download", kwargs={"version_id": file.current_version_id})
    assert api.get(file_url).status_code == 400
    assert api.get(file_url, {"accept_terms": "true"}).status_code == 200
    assert Download.objects.count() == 2


def test_terms_accepted_with_the_zip_request_are_recorded(api):
    from tests.accounts.factories import UserFactory

    user = UserFactory()
    resource = ResourceFactory()
    with_file(resource)
    api.force_authenticate(user)
    url = reverse("toolkit-api:resource-zip", kwargs={"slug": resource.slug})
    assert api.post(url, {"all": True}, format="json").status_code == 400
    assert api.post(url, {"all": True, "accept_terms": True}, format="json").status_code == 200
    assert selectors.terms_accepted(user)


def _responses(api, path, method):
    return api.get("/api/schema/", {"format": "json"}).json()["paths"][path][method]["responses"]["200"]["content"]


def test_the_schema_gives_the_downloads_their_real_types_and_bytes_for_any_client(api):
    """Schemathesis found the zip documented as application/json. A generated client (openapi-python-client) reads
    the first media type it knows: application/octet-stream comes first, so it reads bytes, never JSON."""
    for path in ("/api/v1/toolkit/zip/", "/api/v1/toolkit/resources/{slug}/zip/"):
        content = _responses(api, path, "post")
        assert list(content) == ["application/octet-stream", "application/zip"], path
        assert all(c["schema"] == {"type": "string", "format": "binary"} for c in content.values())
    content = _responses(api, "/api/v1/toolkit/files/{version_id}/download/", "get")
    assert list(content)[0] == "application/octet-stream"
    assert {"application/pdf", "image/png", "text/plain", "text/csv", "video/mp4"} <= set(content)
    assert "application/json" not in content


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/zip"),
        ("application/zip", "application/zip"),
        ("*/*", "application/zip"),
        ("application/octet-stream", "application/octet-stream"),
        ("application/octet-stream, application/zip", "application/zip"),
    ],
)
def test_a_zip_is_served_as_the_client_asks_never_refused_for_its_accept_header(api, teacher, accept, served):
    resource = ResourceFactory()
    plan = with_file(resource, title="Plan")
    api.force_authenticate(teacher)
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    for url, body in (
        (reverse("toolkit-api:resource-zip", kwargs={"slug": resource.slug}), {"all": True, "accept_terms": True}),
        (reverse("toolkit-api:several-zip"), {"files": [plan.current_version_id], "accept_terms": True}),
    ):
        response = api.post(url, body, format="json", **headers)
        assert response.status_code == 200, (url, response.content)
        assert response["Content-Type"] == served
        assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/pdf"),
        ("application/pdf", "application/pdf"),
        ("application/octet-stream", "application/octet-stream"),
    ],
)
def test_a_file_is_served_in_its_own_type_or_as_bytes_when_asked(api, teacher, accept, served):
    plan = with_file(ResourceFactory(), title="Plan")
    api.force_authenticate(teacher)
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    url = reverse("toolkit-api:file-download", kwargs={"version_id": plan.current_version_id})
    response = api.get(url, {"accept_terms": "true"}, **headers)
    assert response.status_code == 200 and response["Content-Type"] == served
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_refused_download_still_answers_in_json_whatever_the_accept_header(api):
    resource = ResourceFactory()
    plan = with_file(resource)
    from tests.accounts.factories import UserFactory

    api.force_authenticate(UserFactory())  # has not accepted the terms
    response = api.post(
        reverse("toolkit-api:several-zip"),
        {"files": [plan.current_version_id]},
        format="json",
        HTTP_ACCEPT="application/zip",
    )
    assert response.status_code == 400 and "accept_terms" in response.json()["errors"]
    assert not Download.objects.exists()
