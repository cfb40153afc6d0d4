"""Systems with client credentials: the token endpoint, scopes mapped onto the API, refusals (403/401 with a clear
body), pupil records never, the access log and the audit."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from core.models import AuditEvent
from machine_clients.models import MachineClient, MachineClientCall
from machine_clients.services import machine_client_revoke
from tests.accounts.factories import SchoolFactory, london_authority

from .conftest import ALL_SCOPES, basic, expire, token_for

pytestmark = pytest.mark.django_db


def test_client_credentials_give_a_token_with_the_clients_scopes(register):
    registered = register(scopes=["register:read", "figures:read"])
    status, body = token_for(registered)
    assert status == 200, body
    assert body["token_type"] == "Bearer"
    assert body["access_token"].startswith("lssc_")
    assert set(body["scope"].split()) == {"register:read", "figures:read"}
    assert 0 < body["expires_in"] <= 3600
    assert "refresh_token" not in body
    token = AccessToken.objects.get()
    assert token.user is None and token.application == registered.client.application
    assert token.token == "" and body["access_token"] not in str(AccessToken.objects.values().get())  # checksum only


def test_a_token_request_for_a_scope_the_client_was_not_given_is_refused(register):
    registered = register(scopes=["register:read"])
    status, body = token_for(registered, scope="borough:read")
    assert status == 400 and body["error"] == "invalid_scope"
    assert not AccessToken.objects.exists()


def test_a_narrower_scope_may_be_asked_for(register):
    registered = register(scopes=ALL_SCOPES)
    status, body = token_for(registered, scope="figures:read")
    assert status == 200 and body["scope"] == "figures:read"


def test_a_wrong_secret_gets_no_token(register):
    registered = register()
    response = Client().post(
        "/oauth/token/",
        urlencode({"grant_type": "client_credentials"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic(registered.client.client_id, "not-the-secret"),
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()
    # The request named a registered client: it is in that client's access log.
    assert MachineClientCall.objects.get().refused == "token_refused"


@pytest.mark.parametrize("grant", ["password", "authorization_code", "refresh_token", "implicit"])
def test_only_the_client_credentials_grant_exists(register, grant):
    registered = register()
    response = Client().post(
        "/oauth/token/",
        urlencode({"grant_type": grant, "username": "admin@example.org", "password": "x", "code": "x"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic(registered.client.client_id, registered.client_secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert not AccessToken.objects.exists()


def test_an_application_made_outside_the_portal_gets_no_token(db):
    from oauth2_provider.generators import generate_client_secret

    secret = generate_client_secret()
    app = Application.objects.create(
        name="Made in the Django admin",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    response = Client().post(
        "/oauth/token/",
        urlencode({"grant_type": "client_credentials"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic(app.client_id, secret),
    )
    assert response.status_code == 401
    assert "not registered" in response.json()["error_description"]


def test_token_requests_are_limited_per_address(register, monkeypatch):
    from django.core.cache import cache

    from machine_clients import views

    cache.clear()
    monkeypatch.setattr(views, "TOKEN_REQUESTS_PER_MINUTE", 2)
    registered = register()
    assert token_for(registered)[0] == 200
    assert token_for(registered)[0] == 200
    status, body = token_for(registered)
    assert status == 429 and body["error"] == "too_many_requests"
    assert AccessToken.objects.count() == 2
    cache.clear()


def test_issuing_a_token_is_audited(register):
    registered = register()
    token_for(registered)
    event = AuditEvent.objects.get(verb="machine_client.token_issued")
    assert event.target_id == str(registered.client.pk)
    assert event.data["scopes"] == ["register:read"]
    assert event.actor is None


# --- calling the API ---------------------------------------------------------------------------------------------


def _token(registered, **kwargs) -> str:
    status, body = token_for(registered, **kwargs)
    assert status == 200, body
    return body["access_token"]


def test_register_scope_reads_the_register(register, api_as):
    school = SchoolFactory(local_authority=london_authority(202))
    api = api_as(_token(register(scopes=["register:read"])))
    assert api.get("/api/v1/schools/").status_code == 200
    assert api.get(f"/api/v1/schools/{school.urn}/").json()["urn"] == school.urn
    assert api.get("/api/v1/local-authorities/").status_code == 200
    assert api.get("/api/v1/bcus/").status_code == 200


def test_each_system_has_its_own_limit_whatever_address_it_calls_from(register, api_as, monkeypatch):
    """Two systems behind one address (a borough's gateway) do not share a limit, nor one with the anonymous visitors
    there; each is limited at the `client` rate and told so in RateLimit-*."""
    from core.api.throttling import PublicReadThrottle

    monkeypatch.setattr(PublicReadThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "5/min", "client": "4/min"})
    camden = api_as(_token(register(scopes=["register:read", "figures:read"])))
    hackney = api_as(_token(register(scopes=["register:read"], la_code=204, name="Hackney import")))
    assert [Client().get("/api/v1/bcus/").status_code for _ in range(3)] == [200, 200, 429]  # the address's visitors
    answers = [camden.get("/api/v1/bcus/") for _ in range(3)] + [camden.get(reverse("public-api:figures"))]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    assert answers[0]["RateLimit-Limit"] == "4" and answers[-1]["RateLimit-Remaining"] == "0"
    refused = camden.get("/api/v1/schools/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert hackney.get("/api/v1/schools/").status_code == 200


def test_a_call_outside_the_scopes_is_403_with_the_scope_it_needs(register, api_as):
    api = api_as(_token(register(scopes=["register:read"])))
    response = api.get(reverse("public-api:figures"))
    assert response.status_code == 403
    body = response.json()
    assert "figures:read" in str(body)
    assert "register:read" in str(body)  # what the token has


def test_figures_scope_reads_the_open_figures_json_and_csv(register, api_as):
    api = api_as(_token(register(scopes=["figures:read"])))
    assert api.get(reverse("public-api:figures")).status_code == 200
    csv = api.get(reverse("public-api:figures-csv", kwargs={"dataset": "wands-take-up"}))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert api.get("/api/v1/schools/").status_code == 403


def test_open_figures_still_need_no_token(db):
    assert Client().get(reverse("public-api:figures")).status_code == 200


def test_a_token_narrower_than_its_client_is_held_to_its_own_scopes(register, api_as):
    api = api_as(_token(register(scopes=ALL_SCOPES), scope="figures:read"))
    assert api.get(reverse("public-api:figures")).status_code == 200
    assert api.get("/api/v1/schools/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/",
        "/api/v1/wands/requests/",
        "/api/v1/officers/officers/",
        "/api/v1/insights/dashboard/",
        "/api/v1/audit/",
        "/api/v1/api-clients/",
        "/api/v1/invitations/",
    ],
)
def test_endpoints_without_a_scope_refuse_systems_whatever_their_scopes(register, api_as, path):
    api = api_as(_token(register(scopes=ALL_SCOPES)))
    response = api.get(path)
    assert response.status_code == 403, (path, response.content)
    assert "not available to OAuth clients" in str(response.json())


def _stepping_stones_api_paths() -> list[str]:
    from stepping_stones.api import urls as ss_urls

    values = {"year": 2026, "pk": 1, "reference": "SS-ABCDEFGH"}
    return [
        reverse(
            f"stepping_stones-api:{pattern.name}", kwargs={key: values[key] for key in pattern.pattern.regex.groupindex}
        )
        for pattern in ss_urls.urlpatterns
    ]


def test_pupil_records_refuse_systems_whatever_their_scopes(register, api_as):
    """Every Stepping Stones endpoint, read or write, answers 403 to an OAuth client holding every scope."""
    api = api_as(_token(register(scopes=ALL_SCOPES)))
    paths = _stepping_stones_api_paths()
    assert len(paths) > 20
    for path in paths:
        assert api.get(path).status_code == 403, path
        upload = path.endswith("/import/")  # takes multipart only: anything else is 415 before it looks further
        assert api.post(path, {}, format="multipart" if upload else "json").status_code == 403, path
    assert AuditEvent.objects.filter(verb="machine_client.refused", reason="not_for_systems").count() == 2 * len(paths)


def test_no_pupil_view_can_take_a_scope_even_by_mistake(monkeypatch):
    from core.api.machine_scopes import view_scope
    from stepping_stones.api.views import ReferralList

    monkeypatch.setattr(ReferralList, "machine_scope", "register:read", raising=False)
    assert view_scope(ReferralList()) is None


def test_systems_never_write(register, api_as):
    api = api_as(_token(register(scopes=ALL_SCOPES)))
    response = api.post("/api/v1/schools/", {"urn": 100000})
    assert response.status_code == 403
    assert "only read" in str(response.json())


def test_a_refused_call_is_audited_and_logged(register, api_as):
    registered = register(scopes=["register:read"])
    api = api_as(_token(registered))
    api.get(reverse("public-api:figures"))
    event = AuditEvent.objects.get(verb="machine_client.refused")
    assert event.target_id == str(registered.client.pk)
    assert event.reason == "insufficient_scope"
    assert event.data["scope_needed"] == "figures:read"
    assert event.data["path"] == "/api/v1/open/figures/"
    call = MachineClientCall.objects.exclude(path="/oauth/token/").get()
    assert (call.method, call.path, call.status_code, call.refused) == (
        "GET",
        "/api/v1/open/figures/",
        403,
        "insufficient_scope",
    )


def test_every_call_is_in_the_access_log_not_the_audit(register, api_as):
    registered = register(scopes=["register:read"])
    api = api_as(_token(registered))
    audit_before = AuditEvent.objects.count()
    for _ in range(3):
        assert api.get("/api/v1/schools/?q=x").status_code == 200
    token_request = MachineClientCall.objects.get(path="/oauth/token/")
    assert (token_request.method, token_request.status_code) == ("POST", 200)
    calls = list(MachineClientCall.objects.exclude(pk=token_request.pk))
    assert len(calls) == 3
    assert all(call.path == "/api/v1/schools/" and call.refused == "" for call in calls)  # no query string kept
    assert AuditEvent.objects.count() == audit_before  # reads do not grow the audit
    registered.client.refresh_from_db()
    assert registered.client.last_used_at is not None


def test_personal_tokens_and_anonymous_calls_are_not_logged(db):
    Client().get("/api/v1/schools/")
    assert not MachineClientCall.objects.exists()


def test_an_expired_client_is_refused_a_token_and_its_tokens_stop_working(register, api_as):
    registered = register(scopes=["register:read"])
    api = api_as(_token(registered))
    expire(registered.client)
    response = api.get("/api/v1/schools/")
    assert response.status_code == 401
    assert "expired" in str(response.json())
    status, body = token_for(registered)
    assert status == 401 and "expired" in body["error_description"]
    reasons = set(AuditEvent.objects.filter(verb="machine_client.refused").values_list("reason", flat=True))
    assert reasons == {"client_expired", "token_request_expired"}


def test_a_revoked_client_is_refused_at_once(register, api_as, admin):
    registered = register(scopes=["register:read"])
    api = api_as(_token(registered))
    assert api.get("/api/v1/schools/").status_code == 200
    machine_client_revoke(client_id=registered.client.pk, actor=admin, reason="The council asked")
    response = api.get("/api/v1/schools/")
    assert response.status_code == 401
    assert "revoked" in str(response.json())
    status, body = token_for(registered)
    assert status == 401 and "revoked" in body["error_description"]
    assert AccessToken.objects.get().expires <= timezone.now()


def test_an_expired_token_is_refused_with_a_clear_message(register, api_as):
    registered = register(scopes=["register:read"])
    plaintext = _token(registered)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = api_as(plaintext).get("/api/v1/schools/")
    assert response.status_code == 401
    assert "expired" in str(response.json())
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.get(verb="machine_client.refused").reason == "token_expired"
    assert MachineClientCall.objects.get(path="/api/v1/schools/").status_code == 401


def test_an_unknown_oauth_token_is_401(db, api_as):
    response = api_as("lssc_not-a-real-token").get("/api/v1/schools/")
    assert response.status_code == 401


def test_personal_tokens_still_work(db):
    from accounts.identity.services import api_token_create
    from tests.accounts.factories import UserFactory

    user = UserFactory(password="a-long-test-password")
    issued = api_token_create(user=user, name="Mine", password="a-long-test-password")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert client.get("/api/v1/me/").json()["email"] == user.email


def test_the_secret_is_stored_hashed_and_cannot_be_recovered(register):
    registered = register()
    stored = Application.objects.get().client_secret
    assert registered.client_secret not in stored
    assert stored.startswith(("argon2", "pbkdf2", "md5", "scrypt"))  # a Django password hash
    from django.contrib.auth.hashers import check_password

    assert check_password(registered.client_secret, stored)
    assert MachineClient.objects.get().pk == registered.client.pk
