"""What people met in the toolkit (issue 16): ages from key stages, a way to get access, search before the filters."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from education_toolkit.models import ages_label

from .factories import ResourceFactory, with_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stages", "label"),
    [
        (["ks2"], "7 to 11"),
        (["ks3"], "11 to 14"),
        (["ks4"], "14 to 16"),
        (["ks5"], "16 to 18"),
        (["ks4", "ks5"], "14 to 18"),
        (["ks5", "ks3", "ks4"], "11 to 18"),
        (["ks2", "ks3", "ks4", "ks5"], "7 to 18"),
        (["ks2", "ks4"], "7 to 11 and 14 to 16"),
        (["ks4", "ks5", "adults"], "14 to 18 and adults"),
        (["ks2", "ks4", "adults"], "7 to 11, 14 to 16 and adults"),
        (["adults"], "adults"),
        ([], ""),
    ],
)
def test_ages_come_from_the_key_stages(stages, label):
    assert ages_label(stages) == label


def test_without_a_key_stage_the_editors_words_stand():
    assert ages_label([], "11 to 25") == "11 to 25"
    assert ages_label(["ks5"], "14 to 16") == "16 to 18"  # a stale age range never contradicts the key stage


def test_a_key_stage_5_resource_never_says_14_to_16(client):
    resource = ResourceFactory(age_range="14 to 16", tags=[("key_stage", "ks4"), ("key_stage", "ks5")])
    page = client.get(reverse("toolkit:resource", kwargs={"slug": resource.slug})).content.decode()
    assert '<dd class="govuk-summary-list__value" id="resource-ages">14 to 18</dd>' in page
    only_ks5 = ResourceFactory(age_range="14 to 16", tags=[("key_stage", "ks5")])
    page = client.get(reverse("toolkit:resource", kwargs={"slug": only_ks5.slug})).content.decode()
    assert 'id="resource-ages">16 to 18</dd>' in page and "14 to 16" not in page
    api = APIClient()
    assert api.get(reverse("toolkit-api:resource", kwargs={"slug": only_ks5.slug})).json()["age_range"] == "16 to 18"
    rows = {r["slug"]: r for r in api.get(reverse("toolkit-api:resources")).json()["results"]}
    assert rows[resource.slug]["age_range"] == "14 to 18" and rows[only_ks5.slug]["age_range"] == "16 to 18"


def test_a_registered_only_resource_tells_a_visitor_how_to_get_access(client):
    resource = ResourceFactory(title="Stop the bleed", registered=True)
    with_file(resource)
    url = reverse("toolkit:resource", kwargs={"slug": resource.slug})
    page = client.get(url).content.decode()
    refusal = page.split('id="download-refusal"')[1].split("</div>\n  <ul")[0]
    assert "Anyone can create an account" in refusal
    assert f'href="{reverse("account_login")}?next={url}"' in refusal
    assert f'href="{reverse("account_signup")}?next={url}"' in refusal
    # The sign-up page answers (it is open to anyone) and sends people back to the resource.
    signup = client.get(f"{reverse('account_signup')}?next={url}")
    assert signup.status_code == 200 and url in signup.content.decode()


def test_a_verified_only_resource_says_how_to_become_verified(client, community_member):
    resource = ResourceFactory(verified=True)
    with_file(resource)
    url = reverse("toolkit:resource", kwargs={"slug": resource.slug})
    visitor = client.get(url).content.decode()
    assert "your headteacher can invite you" in visitor and reverse("account_signup") in visitor
    client.force_login(community_member)
    member = client.get(url).content.decode()
    assert reverse("accounts:join_request_create") in member
    assert reverse("accounts:organisation_register") in member
    assert client.get(reverse("accounts:organisation_register")).status_code == 200


def test_the_catalogue_puts_search_first_and_the_filters_in_a_details_element(client):
    ResourceFactory(title="Stop the bleed", tags=[("key_stage", "ks4")])
    page = client.get(reverse("toolkit:catalogue")).content.decode()
    search, filters, results = page.index('name="q"'), page.index('id="filters"'), page.index('id="results"')
    assert search < filters < results
    assert '<details class="govuk-details" id="filters">' in page  # closed: a phone reaches the results quickly
    assert page.index('id="id_key_stage_0"') > filters
    # The filters belong to the search's form wherever they sit, so search and filters are sent together.
    assert 'id="id_key_stage_0" name="key_stage" type="checkbox" value="ks2" form="toolkit-search">' in page
    chosen = client.get(reverse("toolkit:catalogue"), {"key_stage": "ks4"}).content.decode()
    # Still folded after filtering (a phone goes straight on to the results); the summary and the list above the
    # results say what is chosen.
    assert '<details class="govuk-details" id="filters">' in chosen and "Filter resources (1 chosen)" in chosen
    assert "Remove filter: Key stage 4 (ages 14 to 16)" in chosen
