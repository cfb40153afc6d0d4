"""Ticking files across resources in the catalogue or search results: exactly those files, one zip; each file keeps
its resource's rules (access level, terms of use, one download record per file), all or nothing."""

import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from education_toolkit import services
from education_toolkit.models import Download, TermsAcceptance
from education_toolkit.selectors import terms_accepted
from tests.accounts.factories import UserFactory

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db
URL = reverse("toolkit:download_several")


def _names(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


def _ids(*files):
    return [str(f.current_version_id) for f in files]


def test_the_catalogue_offers_a_tick_for_each_file_grouped_under_its_resource(client, teacher):
    open_one = ResourceFactory(title="Open one")
    slides, notes = with_file(open_one, title="Slides"), with_file(open_one, title="Notes")
    verified = ResourceFactory(title="Verified one", verified=True)
    script = with_file(verified, title="Script")
    ResourceFactory(title="No files yet")
    anonymous = client.get(reverse("toolkit:catalogue")).content.decode()
    assert "Verified one" in anonymous and 'name="resources"' not in anonymous
    assert anonymous.count('name="files"') == 2  # the open resource's two files, not the verified one's
    group = anonymous.split(f'data-resource="{open_one.slug}"')[1].split("</fieldset>")[0]
    for f in (slides, notes):
        assert f'value="{f.current_version_id}" form="download-several"' in group
    assert 'Files<span class="govuk-visually-hidden"> of Open one</span> to add to one download' in group
    client.force_login(teacher)
    page = client.get(reverse("toolkit:catalogue"), {"q": "one"}).content.decode()
    assert page.count('name="files"') == 3 and f'value="{script.current_version_id}"' in page


def test_files_ticked_across_search_results_come_in_one_zip_with_exactly_those_files(client, teacher):
    first = ResourceFactory(title="Stop the bleed")
    second = ResourceFactory(title="Bleeding control assembly")
    slides = with_file(first, title="Slides")
    with_file(first, title="Notes")  # not ticked
    script = with_file(second, title="Script")
    client.force_login(teacher)
    response = client.post(URL, {"files": _ids(slides, script)})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="toolkit_2-resources_files.zip"'
    assert _names(response) == [f"{first.slug}_slides_v1.pdf", f"{second.slug}_script_v1.pdf"]
    # Counted as single downloads are: one record per file, under its own resource.
    records = Download.objects.filter(user=teacher, as_zip=True)
    assert sorted(records.values_list("resource__title", "version__file__title")) == [
        ("Bleeding control assembly", "Script"),
        ("Stop the bleed", "Slides"),
    ]


def test_files_of_one_resource_are_named_after_it(client, teacher):
    resource = ResourceFactory()
    slides = with_file(resource, title="Slides")
    client.force_login(teacher)
    response = client.post(URL, {"files": _ids(slides)})
    assert response["Content-Disposition"] == f'attachment; filename="{resource.slug}_files.zip"'


def test_terms_are_asked_for_once_and_nothing_is_recorded_before(client):
    resource = ResourceFactory()
    plan = with_file(resource)
    refused = client.post(URL, {"files": _ids(plan)})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "Accept the terms of use" in body
    # The ticked file is offered again, ticked, under its resource.
    assert f'value="{plan.current_version_id}" checked' in body and resource.title in body
    assert not Download.objects.exists()
    accepted = client.post(URL, {"files": _ids(plan), "accept_terms": "on"})
    assert accepted.status_code == 200 and Download.objects.count() == 1
    again = client.post(URL, {"files": _ids(plan)})  # accepted once for this visit
    assert again.status_code == 200 and Download.objects.count() == 2


def test_a_signed_in_person_accepts_once_and_it_is_recorded(client):
    resource = ResourceFactory()
    plan = with_file(resource)
    person = UserFactory()
    client.force_login(person)
    assert not terms_accepted(person)
    assert client.post(URL, {"files": _ids(plan)}).status_code == 400
    assert client.post(URL, {"files": _ids(plan), "accept_terms": "on"}).status_code == 200
    assert terms_accepted(person)
    assert client.post(URL, {"files": _ids(plan)}).status_code == 200
    assert Download.objects.filter(user=person).count() == 2


def test_nothing_ticked_a_refused_resource_or_an_old_version_is_an_error(client, community_member):
    verified = ResourceFactory(title="For professionals", verified=True)
    secret = with_file(verified)
    open_one = ResourceFactory(title="For everyone")
    plan = with_file(open_one)
    draft = with_file(ResourceFactory(title="Unpublished draft", draft=True))
    client.force_login(community_member)  # not a verified professional
    nothing = client.post(URL, {"accept_terms": "on"})
    assert nothing.status_code == 400 and "Select at least one file" in nothing.content.decode()
    refused = client.post(URL, {"files": _ids(secret, plan), "accept_terms": "on"})
    assert refused.status_code == 400
    assert "You cannot download For professionals" in refused.content.decode()
    old = plan.current_version_id
    with_file(open_one, title="Other")
    plan.current_version = with_file(open_one, title="Replacement").current_version  # the ticked version is not current
    plan.save()
    stale = client.post(URL, {"files": [str(old)], "accept_terms": "on"})
    assert stale.status_code == 400 and "tick the files again" in stale.content.decode()
    hidden = client.post(URL, {"files": _ids(draft), "accept_terms": "on"})
    assert hidden.status_code == 400 and "Unpublished draft" not in hidden.content.decode()
    assert client.post(URL, {"files": ["x", "-1"], "accept_terms": "on"}).status_code == 400
    assert not Download.objects.exists()


def test_the_service_is_all_or_nothing(teacher, community_member):
    ok, refused = ResourceFactory(), ResourceFactory(verified=True)
    a, b = with_file(ok), with_file(refused)
    services.terms_accept(user=community_member)
    with pytest.raises(services.DomainError, match="You cannot download"):
        services.downloads_record_files(user=community_member, version_ids=[a.current_version_id, b.current_version_id])
    assert not Download.objects.exists()
    with pytest.raises(services.DomainError, match="100 files or fewer"):
        services.downloads_record_files(user=teacher, version_ids=list(range(1, 102)))
    chosen = services.downloads_record_files(user=teacher, version_ids=[b.current_version_id, a.current_version_id])
    assert [c.resource_slug for c in chosen] == [refused.slug, ok.slug]  # in the order ticked
    assert Download.objects.filter(user=teacher).count() == 2


def test_the_api_zips_files_ticked_across_resources(teacher):
    first, second = ResourceFactory(), ResourceFactory()
    plan = with_file(first, title="Plan")
    with_file(first, title="Extra")
    other = with_file(second, title="Plan")
    api = APIClient()
    api.force_authenticate(teacher)
    url = reverse("toolkit-api:several-zip")
    response = api.post(url, {"files": [plan.current_version_id, other.current_version_id]}, format="json")
    assert response.status_code == 200
    assert _names(response) == [f"{first.slug}_plan_v1.pdf", f"{second.slug}_plan_v1.pdf"]
    assert Download.objects.filter(user=teacher, as_zip=True).count() == 2
    stale = api.post(url, {"files": [999999]}, format="json")
    assert stale.status_code == 400 and "files" in stale.json()["errors"]
    empty = api.post(url, {}, format="json")
    assert empty.status_code == 400 and "files" in empty.json()["errors"]
    api.force_authenticate(None)
    anonymous = api.post(url, {"files": [plan.current_version_id]}, format="json")
    assert anonymous.status_code == 400 and "accept_terms" in anonymous.json()["errors"]
    assert TermsAcceptance.objects.count() == 1  # the teacher's, from the fixture
    assert Download.objects.count() == 2


def test_the_api_still_zips_whole_resources_by_slug(teacher):
    first, second = ResourceFactory(), ResourceFactory()
    with_file(first, title="Plan")
    with_file(second, title="Plan")
    api = APIClient()
    api.force_authenticate(teacher)
    url = reverse("toolkit-api:several-zip")
    response = api.post(url, {"resources": [first.slug, second.slug]}, format="json")
    assert response.status_code == 200
    assert _names(response) == [f"{first.slug}_plan_v1.pdf", f"{second.slug}_plan_v1.pdf"]
    missing = api.post(url, {"resources": ["nope"]}, format="json")
    assert missing.status_code == 400 and "resources" in missing.json()["errors"]


def test_the_schema_documents_the_file_ids(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    body = schema["paths"]["/api/v1/toolkit/zip/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][name]["properties"]
    assert fields["files"]["type"] == "array" and fields["files"]["items"]["type"] == "integer"
