"""The search's synonym table, kept by toolkit editors: page, API, audit, bad input; search follows it at once."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from education_toolkit.models import SearchSynonym
from tests.etag import patch_with_etag

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("toolkit:editor_synonyms")


def _catalogue_titles(client, q):
    return [r.title for r in client.get(reverse("toolkit:catalogue"), {"q": q}).context["page"].object_list]


def test_an_editor_adds_a_row_on_the_page_and_search_follows(client, editor):
    ResourceFactory(title="County lines", summary="Drugs and exploitation")
    client.force_login(editor)
    assert _catalogue_titles(client, "trapping") == []
    response = client.post(PAGE, {"term": " Trapping ", "alternatives": "county lines, cuckooing"}, follow=True)
    assert "Search now treats “trapping”" in response.content.decode()
    row = SearchSynonym.objects.get(term="trapping")
    assert row.alternatives == "county lines, cuckooing"
    event = AuditEvent.objects.get(verb="toolkit_synonym.created")
    assert event.actor == editor and event.to_state == "county lines, cuckooing"
    assert _catalogue_titles(client, "trapping") == ["County lines"]


def test_bad_input_on_the_page_shows_errors_and_writes_nothing(client, editor):
    client.force_login(editor)
    before = SearchSynonym.objects.count()
    blank = client.post(PAGE, {"term": "", "alternatives": ""})
    assert blank.status_code == 400 and "govuk-error-summary" in blank.content.decode()
    clash = client.post(PAGE, {"term": "bleeding", "alternatives": "gore"})
    assert clash.status_code == 400 and "“bleeding” already has a row" in clash.content.decode()
    only_itself = client.post(PAGE, {"term": "blade", "alternatives": "blade, , "})
    assert "Enter at least one other word" in only_itself.content.decode()
    assert SearchSynonym.objects.count() == before
    assert not AuditEvent.objects.filter(verb__startswith="toolkit_synonym").exists()


def test_an_editor_changes_and_removes_a_row_each_audited(client, editor):
    client.force_login(editor)
    row = SearchSynonym.objects.get(term="bleeding")
    url = reverse("toolkit:editor_synonym_edit", kwargs={"pk": row.pk})
    assert client.get(url).status_code == 200
    client.post(url, {"term": "bleeding", "alternatives": "bleed, tourniquet"})
    row.refresh_from_db()
    assert row.alternatives == "bleed, tourniquet"
    changed = AuditEvent.objects.get(verb="toolkit_synonym.changed")
    assert (
        changed.from_state.startswith("bleeding: bleed, first aid")
        and changed.to_state == "bleeding: bleed, tourniquet"
    )
    client.post(url, {"delete": "1"})
    assert not SearchSynonym.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.get(verb="toolkit_synonym.deleted").from_state == "bleeding: bleed, tourniquet"


def test_others_may_not_change_synonyms(client, teacher):
    client.force_login(teacher)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"term": "x", "alternatives": "y"}).status_code == 403
    assert not SearchSynonym.objects.filter(term="x").exists()


def test_the_api_lists_creates_changes_and_deletes(editor, teacher):
    api = APIClient()
    api.force_authenticate(teacher)
    assert api.get(reverse("toolkit-api:synonyms")).status_code == 403
    assert (
        api.post(reverse("toolkit-api:synonyms"), {"term": "x", "alternatives": ["y"]}, format="json").status_code
        == 403
    )
    api.force_authenticate(editor)
    listed = api.get(reverse("toolkit-api:synonyms")).json()["results"]
    assert {"term": "bleeding"}.items() <= next(r for r in listed if r["term"] == "bleeding").items()
    created = api.post(
        reverse("toolkit-api:synonyms"), {"term": "Blade", "alternatives": ["knife", "Machete"]}, format="json"
    )
    assert created.status_code == 201 and created.json()["alternatives"] == ["knife", "machete"]
    url = reverse("toolkit-api:synonym", kwargs={"pk": created.json()["id"]})
    clash = api.post(reverse("toolkit-api:synonyms"), {"term": "blade", "alternatives": ["sword"]}, format="json")
    assert clash.status_code == 409 and "term" in clash.json()["errors"]
    empty = patch_with_etag(api, url, {"alternatives": []})
    assert empty.status_code == 400 and "alternatives" in empty.json()["errors"]
    changed = patch_with_etag(api, url, {"alternatives": ["knife", "zombie knife"]})
    assert changed.status_code == 200 and changed.json()["alternatives"] == ["knife", "zombie knife"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    verbs = list(AuditEvent.objects.filter(verb__startswith="toolkit_synonym").values_list("verb", flat=True))
    assert sorted(verbs) == ["toolkit_synonym.changed", "toolkit_synonym.created", "toolkit_synonym.deleted"]


def test_the_synonym_list_query_count_does_not_grow(client, editor, django_assert_max_num_queries):
    client.force_login(editor)
    client.get(PAGE)
    SearchSynonym.objects.bulk_create([SearchSynonym(term=f"word {n}", alternatives="other") for n in range(40)])
    with django_assert_max_num_queries(12) as small:
        client.get(PAGE)
    SearchSynonym.objects.bulk_create([SearchSynonym(term=f"more {n}", alternatives="other") for n in range(200)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(PAGE)
