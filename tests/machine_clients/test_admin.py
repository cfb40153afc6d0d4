"""The programme admin's journey (pages) and the same through /api/v1/api-clients/ (personal token)."""

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import Application

from core.models import AuditEvent
from machine_clients.models import MachineClient
from machine_clients.services import machine_client_register, machine_client_revoke
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(admin):
    client = Client()
    client.force_login(admin)
    return client


VALID = {"name": "Camden nightly import", "local_authority": "202", "scopes": ["register:read"], "days": "90"}


# --- services -----------------------------------------------------------------------------------------------------


def test_register_keeps_the_choices_and_audits(register, admin):
    registered = register(scopes=["figures:read", "register:read"], la_code=202, days=30)
    client = registered.client
    assert client.local_authority_id == 202
    assert client.scopes == ["register:read", "figures:read"]  # in the vocabulary's order
    assert client.status == MachineClient.Status.ACTIVE
    assert (client.expires_at - client.created_at).days == 30
    application = client.application
    assert application.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    event = AuditEvent.objects.get(verb="machine_client.registered")
    assert event.actor == admin and event.to_state == "active"
    assert event.data["scopes"] == ["register:read", "figures:read"] and event.data["local_authority"] == 202
    assert registered.client_secret not in str(event.data)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["pupils:read"]}, "scopes"),
        ({"days": 7}, "days"),
        ({"local_authority_code": 999}, "local_authority"),
        ({"local_authority_code": 330}, "local_authority"),  # Birmingham: outside London
        ({"local_authority_code": None}, "local_authority"),  # neither
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(admin, kwargs, field):
    from core.errors import DomainError

    arguments = {"name": "X", "local_authority_code": 202, "scopes": ["register:read"], "days": 90, **kwargs}
    with pytest.raises(DomainError) as error:
        machine_client_register(actor=admin, **arguments)
    assert error.value.field == field
    assert not MachineClient.objects.exists() and not Application.objects.exists()


def test_a_verified_organisation_may_have_a_client_but_not_borough_figures(admin):
    from core.errors import DomainError
    from tests.accounts.factories import OrganisationFactory

    verified = OrganisationFactory(verified=True, name="Brixton Youth Club")
    pending = OrganisationFactory(name="Not Yet Verified")
    registered = machine_client_register(
        actor=admin, name="Club site", organisation_id=verified.pk, scopes=["figures:read"], days=90
    )
    assert registered.client.organisation == verified and registered.client.local_authority is None
    assert registered.client.owner_name == "Brixton Youth Club"
    for kwargs, field in [
        ({"organisation_id": pending.pk, "scopes": ["figures:read"]}, "organisation"),
        ({"organisation_id": verified.pk, "scopes": ["borough:read"]}, "scopes"),
        ({"organisation_id": verified.pk, "local_authority_code": 202, "scopes": ["figures:read"]}, "local_authority"),
    ]:
        with pytest.raises(DomainError) as error:
            machine_client_register(actor=admin, name="X", days=90, **kwargs)
        assert error.value.field == field
    assert MachineClient.objects.count() == 1


def test_the_database_refuses_a_client_for_nobody_or_for_two(register):
    from django.db import IntegrityError, transaction

    from tests.accounts.factories import OrganisationFactory

    client = register().client
    with pytest.raises(IntegrityError), transaction.atomic():
        MachineClient.objects.filter(pk=client.pk).update(local_authority=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        MachineClient.objects.filter(pk=client.pk).update(organisation=OrganisationFactory(verified=True))


def test_the_page_registers_for_a_verified_organisation(signed_in):
    from tests.accounts.factories import OrganisationFactory

    organisation = OrganisationFactory(verified=True, name="Brixton Youth Club")
    both = signed_in.post(reverse("machine_clients:register"), {**VALID, "organisation": str(organisation.pk)})
    assert "not both" in both.content.decode() and not MachineClient.objects.exists()
    response = signed_in.post(
        reverse("machine_clients:register"), {**VALID, "local_authority": "", "organisation": str(organisation.pk)}
    )
    assert response.status_code == 200 and "System registered" in response.content.decode()
    assert MachineClient.objects.get().organisation == organisation
    assert "Brixton Youth Club" in signed_in.get(reverse("machine_clients:list")).content.decode()


def test_only_programme_admins_register_or_revoke(register):
    from django.core.exceptions import PermissionDenied

    someone = UserFactory()
    with pytest.raises(PermissionDenied):
        machine_client_register(actor=someone, name="X", local_authority_code=202, scopes=["register:read"], days=90)
    registered = register()
    with pytest.raises(PermissionDenied):
        machine_client_revoke(client_id=registered.client.pk, actor=someone)
    assert MachineClient.objects.get().revoked_at is None


def test_revoke_twice_is_a_conflict(register, admin):
    from core.errors import Conflict

    registered = register()
    machine_client_revoke(client_id=registered.client.pk, actor=admin, reason="Asked")
    with pytest.raises(Conflict):
        machine_client_revoke(client_id=registered.client.pk, actor=admin)
    event = AuditEvent.objects.get(verb="machine_client.revoked")
    assert (event.from_state, event.to_state, event.reason, event.actor) == ("active", "revoked", "Asked", admin)


# --- pages --------------------------------------------------------------------------------------------------------


def test_register_shows_the_secret_once_and_only_its_hash_is_kept(signed_in):
    response = signed_in.post(reverse("machine_clients:register"), VALID)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    client = MachineClient.objects.get()
    html = response.content.decode()
    secret = html.split('id="client-secret"')[1].split('value="')[1].split('"')[0]
    assert len(secret) >= 40 and client.client_id in html
    assert secret not in Application.objects.get().client_secret
    detail = signed_in.get(reverse("machine_clients:detail", args=[client.pk])).content.decode()
    listing = signed_in.get(reverse("machine_clients:list")).content.decode()
    assert secret not in detail and secret not in listing
    assert "Camden nightly import" in listing and client.client_id in detail


def test_sending_the_same_form_again_registers_nothing_more(signed_in):
    """A reload of the secret page (or Back then submit, or a second click) re-posts the form: it must not register a
    second live client with a second secret; it goes to the one registered, saying the secret was shown once."""
    form = signed_in.get(reverse("machine_clients:register")).content.decode()
    nonce = form.split('name="form_nonce" value="')[1].split('"')[0]
    first = signed_in.post(reverse("machine_clients:register"), {**VALID, "form_nonce": nonce})
    assert first.status_code == 200 and 'id="client-secret"' in first.content.decode()
    client = MachineClient.objects.get()
    again = signed_in.post(reverse("machine_clients:register"), {**VALID, "form_nonce": nonce}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("machine_clients:detail", args=[client.pk])
    html = again.content.decode()
    assert "already registered" in html and 'id="client-secret"' not in html
    assert MachineClient.objects.count() == 1
    other = signed_in.get(reverse("machine_clients:register")).content.decode()
    assert other.split('name="form_nonce" value="')[1].split('"')[0] != nonce  # a new form registers a new system
    signed_in.post(reverse("machine_clients:register"), {**VALID, "form_nonce": "fresh"})
    assert MachineClient.objects.count() == 2


def test_bad_input_shows_the_error_summary_and_writes_nothing(signed_in):
    response = signed_in.post(reverse("machine_clients:register"), {"name": "", "local_authority": "", "days": "90"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    for message in (
        "Enter a name for the system",
        "Select a local authority or a verified organisation",
        "Select what the system may read",
    ):
        assert message in html
    assert html.count("Error:") >= 1 or "Error: " in html
    assert not MachineClient.objects.exists()


def test_outside_london_authority_is_not_offered(signed_in):
    response = signed_in.post(reverse("machine_clients:register"), {**VALID, "local_authority": "330"})
    assert "Select a London local authority" in response.content.decode()
    assert not MachineClient.objects.exists()


def test_revoke_page_revokes_with_a_reason(signed_in, register):
    registered = register()
    url = reverse("machine_clients:revoke", args=[registered.client.pk])
    assert signed_in.get(url).status_code == 200
    response = signed_in.post(url, {"reason": "The council asked"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("machine_clients:list")
    assert "was revoked" in response.content.decode()
    registered.client.refresh_from_db()
    assert registered.client.revoked_at is not None and registered.client.revoke_reason == "The council asked"


def test_revoking_again_shows_an_error_not_a_500(signed_in, register, admin):
    registered = register()
    machine_client_revoke(client_id=registered.client.pk, actor=admin)
    response = signed_in.post(reverse("machine_clients:revoke", args=[registered.client.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "already revoked" in response.content.decode()


def test_people_who_are_not_programme_admins_get_403(register):
    registered = register()
    client = Client()
    client.force_login(UserFactory())
    assert client.get(reverse("machine_clients:list")).status_code == 403
    assert client.post(reverse("machine_clients:register"), VALID).status_code == 403
    assert client.post(reverse("machine_clients:revoke", args=[registered.client.pk])).status_code == 403
    assert MachineClient.objects.get().revoked_at is None


def test_the_list_has_a_constant_number_of_queries(signed_in, register, django_assert_max_num_queries):
    register(name="First")
    signed_in.get(reverse("machine_clients:list"))  # the session's first request caches its sign-in state
    with django_assert_max_num_queries(50) as first:
        signed_in.get(reverse("machine_clients:list"))
    for index in range(6):
        register(name=f"System {index}", la_code=202 + index)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as more:
        response = signed_in.get(reverse("machine_clients:list"))
    assert response.status_code == 200 and "System 5" in response.content.decode()
    assert len(more.captured_queries) == len(first.captured_queries)


# --- API (personal token or session) ------------------------------------------------------------------------------


@pytest.fixture
def api(admin):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(admin)
    return client


def test_api_register_returns_the_secret_once(api):
    response = api.post(
        "/api/v1/api-clients/", {"name": "Hackney BI", "la_code": 204, "scopes": ["borough:read"], "days": 180}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_secret"] and body["client_id"] and body["status"] == "active"
    assert body["la_code"] == 204 and body["scopes"] == ["borough:read"] and body["organisation_id"] is None
    assert "no-store" in response["Cache-Control"]
    listing = api.get("/api/v1/api-clients/").json()
    assert listing["count"] == 1 and "client_secret" not in listing["results"][0]
    detail = api.get(f"/api/v1/api-clients/{body['id']}/").json()
    assert "client_secret" not in detail and detail["client_id"] == body["client_id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "la_code": 204, "scopes": ["borough:read"], "days": 90}, "name"),
        ({"name": "X", "la_code": 204, "scopes": [], "days": 90}, "scopes"),
        ({"name": "X", "la_code": 204, "scopes": ["pupils:read"], "days": 90}, "scopes"),
        ({"name": "X", "la_code": 204, "scopes": ["borough:read"], "days": 3}, "days"),
        ({"name": "X", "la_code": 999, "scopes": ["borough:read"], "days": 90}, "local_authority"),
    ],
)
def test_api_bad_input_is_400_naming_the_field_and_writes_nothing(api, payload, field):
    response = api.post("/api/v1/api-clients/", payload)
    assert response.status_code == 400
    assert field in str(response.json()) or (field == "local_authority" and "la_code" in str(response.json()))
    assert not MachineClient.objects.exists()


def test_api_revoke_then_conflict(api, register):
    registered = register()
    url = f"/api/v1/api-clients/{registered.client.pk}/revoke/"
    response = api.post(url, {"reason": "Asked"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert api.post(url, {}).status_code == 409


def test_api_is_for_programme_admins_only(register):
    from rest_framework.test import APIClient

    registered = register()
    client = APIClient()
    client.force_login(UserFactory())
    assert client.get("/api/v1/api-clients/").status_code == 403
    assert client.post(f"/api/v1/api-clients/{registered.client.pk}/revoke/").status_code == 403
    assert APIClient().get("/api/v1/api-clients/").status_code == 401


def test_api_list_has_a_constant_number_of_queries(api, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register(name="First")
    api.get("/api/v1/api-clients/")
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/api-clients/").status_code == 200
    for index in range(5):
        register(name=f"System {index}")
    with CaptureQueriesContext(connection) as six:
        assert api.get("/api/v1/api-clients/").json()["count"] == 6
    assert len(six.captured_queries) == len(one.captured_queries)
