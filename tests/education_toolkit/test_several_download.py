"""Ticking resources in the catalogue or search results: every file of each, one zip; each resource's rules hold."""

import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from education_toolkit.models import Download, TermsAcceptance

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db
URL = reverse("toolkit:download_several")


def _names(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


def test_the_catalogue_offers_a_tick_for_each_resource_the_person_may_download(client, teacher):
    ResourceFactory(title="Open one")
    ResourceFactory(title="Verified one", verified=True)
    anonymous = client.get(reverse("toolkit:catalogue")).content.decode()
    assert 'form="download-several"' in anonymous and "Verified one" in anonymous
    assert anonymous.count('name="resources"') == 1  # not the verified one
    client.force_login(teacher)
    assert client.get(reverse("toolkit:catalogue"), {"q": "one"}).content.decode().count('name="resources"') == 2


def test_ticked_resources_from_search_results_come_in_one_zip(client, teacher):
    first = ResourceFactory(title="Stop the bleed")
    second = ResourceFactory(title="Bleeding control assembly")
    with_file(first, title="Slides")
    with_file(first, title="Notes")
    with_file(second, title="Script")
    client.force_login(teacher)
    response = client.post(URL, {"resources": [first.slug, second.slug]})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="toolkit_2-resources_files.zip"'
    assert _names(response) == [
        f"{first.slug}_slides_v1.pdf",
        f"{first.slug}_notes_v1.pdf",
        f"{second.slug}_script_v1.pdf",
    ]
    assert Download.objects.filter(user=teacher, as_zip=True).count() == 3


def test_terms_are_asked_for_once_and_nothing_is_recorded_before(client):
    resource = ResourceFactory()
    with_file(resource)
    refused = client.post(URL, {"resources": [resource.slug]})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "Accept the terms of use" in body
    assert not Download.objects.exists()
    accepted = client.post(URL, {"resources": [resource.slug], "accept_terms": "on"})
    assert accepted.status_code == 200 and Download.objects.count() == 1


def test_nothing_ticked_or_a_resource_the_person_may_not_have_is_an_error_and_records_nothing(client, teacher):
    verified = ResourceFactory(title="For professionals", verified=True)
    with_file(verified)
    open_one = ResourceFactory(title="For everyone")
    with_file(open_one)
    nothing = client.post(URL, {"accept_terms": "on"})
    assert nothing.status_code == 400 and "Select at least one resource" in nothing.content.decode()
    refused = client.post(URL, {"resources": [verified.slug, open_one.slug], "accept_terms": "on"})
    assert refused.status_code == 400 and "You cannot download For professionals" in refused.content.decode()
    unknown = client.post(URL, {"resources": ["no-such-thing"], "accept_terms": "on"})
    assert unknown.status_code == 400
    assert not Download.objects.exists()


def test_the_api_zips_several_resources(teacher):
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
    api.force_authenticate(None)
    anonymous = api.post(url, {"resources": [first.slug]}, format="json")
    assert anonymous.status_code == 400 and "accept_terms" in anonymous.json()["errors"]
    assert TermsAcceptance.objects.count() == 1  # the teacher's, from the fixture
