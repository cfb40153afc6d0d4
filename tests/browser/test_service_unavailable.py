"""The database down: a person sees the GOV.UK "Sorry, the service is unavailable" page (503), accessible, and is
still signed in when the database is back."""

from unittest import mock

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from core.sessions import SessionStore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_service_unavailable_page(live_server, page, axe_check):
    store = SessionStore()
    store["started"] = 1
    store.create()
    page.context.add_cookies([{"name": "sessionid", "value": store.session_key, "url": live_server.url}])
    with mock.patch.object(
        SessionStore, "_get_session_from_db", side_effect=OperationalError("server closed the connection")
    ):
        from django.core.cache import cache

        cache.clear()
        response = page.goto(live_server.url + "/")
        assert response.status == 503
        assert response.headers["retry-after"] == "30"
        expect(page).to_have_title("Sorry, the service is unavailable – London Schools Safety Portal")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, the service is unavailable")
        axe_check(page)
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies.get("sessionid") == store.session_key  # the failed load did not delete the cookie
