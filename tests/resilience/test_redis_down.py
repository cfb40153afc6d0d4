"""Redis unreachable or not answering: anonymous pages and the API still answer, throttles and rate limits let people
through, sign-up and sign-in work, and nobody signed in is signed out."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from core import outage
from public.models import ConsentStatement
from tests.accounts.factories import SchoolFactory, UserFactory
from tests.accounts.test_identity_support import TEST_PASSWORD, sign_in
from tests.public.factories import defaults

from .faults import closed_port, frozen_server, redis_cache_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_outage_log():
    outage.reset()
    yield
    outage.reset()


@pytest.fixture(params=["unreachable", "not answering"])
def redis_down(request):
    """The default cache pointed at a Redis that refuses connections, or at one that accepts and never replies."""
    if request.param == "unreachable":
        with override_settings(CACHES=redis_cache_settings(closed_port())):
            yield request.param
    else:
        with frozen_server() as port, override_settings(CACHES=redis_cache_settings(port, timeout=0.1)):
            yield request.param


def test_anonymous_register_pages_and_api_answer(client, redis_down):
    SchoolFactory.create_batch(3)
    for _ in range(3):
        assert client.get(reverse("schools:list")).status_code == 200
        response = client.get("/api/v1/schools/")
        assert response.status_code == 200
        assert response.json()["count"] == 3  # counted, since the cached total is a miss
        assert client.get("/").status_code == 200


def test_the_public_read_throttle_lets_requests_through(client, redis_down, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "2/min"}}
    statuses = {client.get("/api/v1/schools/").status_code for _ in range(5)}
    assert statuses == {200}  # the limit cannot be counted: people are let through, not refused or failed


def test_vru_sign_up_works(client, redis_down):
    defaults()
    version = ConsentStatement.objects.order_by("-version").first().version
    for n in range(3):
        form = {"email": f"reader{n}@example.org", "topics": ["knife-wands"], "consent": "on"}
        response = client.post(reverse("public:signup"), {**form, "statement_version": version})
        assert response.status_code == 302, response.content.decode()[:500]


def test_sign_in_works(client, redis_down):
    user = UserFactory()
    response = sign_in(client, user)
    assert response.status_code == 302
    assert client.get(reverse("identity:account")).status_code == 200


def test_wrong_passwords_are_still_refused_and_no_error(client, redis_down):
    user = UserFactory()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD + "x"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_someone_signed_in_stays_signed_in_when_redis_goes_down(client):
    user = UserFactory()
    assert sign_in(client, user).status_code == 302  # Redis (here the test cache) up
    with override_settings(CACHES=redis_cache_settings(closed_port())):
        response = client.get(reverse("identity:account"))
        assert response.status_code == 200
        assert not response.cookies.get("sessionid") or response.cookies["sessionid"].value
    with frozen_server() as port, override_settings(CACHES=redis_cache_settings(port)):
        assert client.get(reverse("identity:account")).status_code == 200
    assert client.get(reverse("identity:account")).status_code == 200


def test_someone_signed_in_stays_signed_in_when_redis_restarts_empty(client):
    user = UserFactory()
    assert sign_in(client, user).status_code == 302
    cache.clear()  # a Redis restart without persistence: every cached session is gone
    assert client.get(reverse("identity:account")).status_code == 200
    assert "_auth_user_id" in client.session


def test_signing_out_during_the_outage_is_not_undone_when_redis_comes_back(client):
    """The cache missed the sign-out; its stale copy must not sign the old cookie back in."""
    from tests.resilience.test_cache import FlakyClient

    user = UserFactory()
    with override_settings(CACHES=redis_cache_settings(closed_port(), retry_after=0)):
        from django.core.cache import caches

        flaky = FlakyClient()
        caches["default"].__dict__["_cache"] = flaky
        assert sign_in(client, user).status_code == 302
        old_cookie = client.cookies["sessionid"].value
        flaky.down = True
        client.post(reverse("account_logout"))
        flaky.down = False
        client.cookies["sessionid"] = old_cookie  # someone replays the old cookie
        response = client.get(reverse("identity:account"))
    assert response.status_code == 302  # to sign in: the session is gone
    assert "_auth_user_id" not in client.session


def test_an_outage_is_logged_once_a_minute_and_never_mailed(client, redis_down, settings, caplog):
    settings.ADMINS = [("Ops", "ops@example.org")]
    SchoolFactory.create_batch(2)
    for _ in range(10):
        assert client.get("/api/v1/schools/").status_code == 200
    outage_lines = [r for r in caplog.records if r.name == "portal.outage"]
    kinds = [r.kind for r in outage_lines]
    assert len(kinds) == len(set(kinds))  # at most one line per kind
    assert mail.outbox == []
