"""Open figures follow open-data conventions: CORS for anyone, Cache-Control for as long as the figures are cached,
and an ETag that turns a repeated request into a 304 until the figures change."""

import pytest
from django.core.cache import cache

from public import selectors

pytestmark = pytest.mark.django_db

OPEN_URLS = ["/api/v1/open/figures/", "/api/v1/open/figures/wands-take-up.csv"]


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)
    yield
    cache.delete(selectors.OPEN_FIGURES_CACHE_KEY)


@pytest.mark.parametrize("url", OPEN_URLS)
def test_open_figures_carry_cors_cache_control_and_an_etag(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == f"public, max-age={selectors.OPEN_FIGURES_CACHE_SECONDS}"
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10


@pytest.mark.parametrize("url", OPEN_URLS)
def test_the_same_etag_is_a_304_until_the_figures_change(client, url):
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"
    newer = {**selectors.open_figures(), "as_of": "2030-01-01T00:00:00+00:00"}  # the figures computed again later
    cache.set(selectors.OPEN_FIGURES_CACHE_KEY, newer, selectors.OPEN_FIGURES_CACHE_SECONDS)
    recomputed = client.get(url, headers={"if-none-match": etag})
    assert recomputed.status_code == 200 and recomputed["ETag"] != etag


def test_the_json_and_each_csv_have_their_own_etag(client):
    etags = {client.get(url)["ETag"] for url in OPEN_URLS + ["/api/v1/open/figures/police-contacts.csv"]}
    assert len(etags) == 3


def test_an_unknown_dataset_is_404_without_caching_headers(client):
    response = client.get("/api/v1/open/figures/nothing.csv")
    assert response.status_code == 404
    assert "ETag" not in response and response["Access-Control-Allow-Origin"] == "*"
