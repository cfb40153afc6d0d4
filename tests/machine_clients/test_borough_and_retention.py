"""A borough's system reads its own schools (and never another borough's); the access log's retention; the schema."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from core.models import AuditEvent
from machine_clients.models import MachineClientCall
from machine_clients.services import machine_client_call_log, machine_client_calls_prune
from tests.accounts.factories import SchoolFactory, london_authority
from tests.officers.factories import AssignmentFactory
from tests.wands.factories import WandRequestFactory

from .conftest import token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights/own-borough/"


def _api(registered):
    from rest_framework.test import APIClient

    status, body = token_for(registered)
    assert status == 200, body
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    return client


def test_a_borough_reads_its_own_schools_only(register):
    hackney = london_authority(204)
    ours = SchoolFactory(local_authority=hackney, name="Ours Primary")
    covered = SchoolFactory(local_authority=hackney, name="Covered Academy")
    AssignmentFactory(school=covered)
    WandRequestFactory(school=ours, quantity=3, status="delivered")
    theirs = SchoolFactory(local_authority=london_authority(202), name="Theirs School")
    body = _api(register(scopes=["borough:read"], la_code=204)).get(URL).json()
    assert body["la_code"] == 204 and body["la_name"] == hackney.name
    by_urn = {row["urn"]: row for row in body["schools"]}
    assert set(by_urn) == {ours.urn, covered.urn}
    assert theirs.urn not in by_urn
    assert by_urn[ours.urn]["wands_delivered"] == 3 and by_urn[ours.urn]["wands_taken_up"] is True
    assert by_urn[covered.urn]["police_contact"] is True and by_urn[ours.urn]["police_contact"] is False
    assert body["wands_delivered"] == 3 and body["schools_with_police_contact"] == 1
    assert "stepping_stones" not in str(body).lower()  # no counts of pupils


def test_the_city_of_london_has_no_police_contact_figure(register):
    SchoolFactory(local_authority=london_authority(201))
    body = _api(register(scopes=["borough:read"], la_code=201)).get(URL).json()
    assert body["schools_with_police_contact"] is None
    assert body["schools"][0]["police_contact"] is None


def test_borough_read_needs_its_scope(register):
    response = _api(register(scopes=["register:read"], la_code=204)).get(URL)
    assert response.status_code == 403 and "borough:read" in str(response.json())


def test_an_organisations_client_never_reads_borough_figures(admin, api_as):
    from rest_framework.test import APIClient

    from machine_clients.services import machine_client_register
    from tests.accounts.factories import OrganisationFactory

    registered = machine_client_register(
        actor=admin,
        name="Club",
        organisation_id=OrganisationFactory(verified=True).pk,
        scopes=["figures:read"],
        days=90,
    )
    status, body = token_for(registered, scope="borough:read")
    assert status == 400 and body["error"] == "invalid_scope"
    # Even if the scope were on the client (an older record), the view reads no borough for an organisation.
    MachineClient = type(registered.client)
    MachineClient.objects.filter(pk=registered.client.pk).update(scopes=["figures:read", "borough:read"])
    status, body = token_for(registered)
    assert status == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    response = client.get(URL)
    assert response.status_code == 403 and "local authority" in str(response.json())


def test_people_cannot_use_the_systems_endpoint(admin):
    client = Client()
    assert client.get(URL).status_code == 401
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_own_borough_has_a_constant_number_of_queries(register):
    hackney = london_authority(204)
    api = _api(register(scopes=["borough:read"], la_code=204))
    SchoolFactory(local_authority=hackney)
    api.get(URL)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(URL).json()["schools"]) == 1
    for _ in range(5):
        school = SchoolFactory(local_authority=hackney)
        AssignmentFactory(school=school)
        WandRequestFactory(school=school, status="delivered")
    with CaptureQueriesContext(connection) as six:
        assert len(api.get(URL).json()["schools"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- retention ----------------------------------------------------------------------------------------------------


@override_settings(MACHINE_CLIENT_CALL_RETENTION_DAYS=30)
def test_the_access_log_keeps_the_retention_period_and_no_longer(register):
    client = register().client
    now = timezone.now()
    old = machine_client_call_log(client_id=client.pk, method="GET", path="/api/v1/schools/", status_code=200)
    kept = machine_client_call_log(client_id=client.pk, method="GET", path="/api/v1/schools/", status_code=200)
    MachineClientCall.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    MachineClientCall.objects.filter(pk=kept.pk).update(at=now - timedelta(days=29))
    audit_before = AuditEvent.objects.count()
    assert machine_client_calls_prune(now=now) == 1
    assert list(MachineClientCall.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditEvent.objects.count() == audit_before  # the audit is never pruned


@override_settings(MACHINE_CLIENT_CALL_RETENTION_DAYS=7)
def test_the_prune_command_deletes_old_calls_and_expired_tokens(register, capsys):
    from oauth2_provider.models import AccessToken

    registered = register()
    token_for(registered)
    MachineClientCall.objects.update(at=timezone.now() - timedelta(days=8))
    AccessToken.objects.update(expires=timezone.now() - timedelta(days=2))
    call_command("machine_clients_prune_calls", "--dry-run")
    assert "Would delete 1 " in capsys.readouterr().out
    assert MachineClientCall.objects.count() == 1
    call_command("machine_clients_prune_calls")
    assert "Deleted 1 access-log rows older than 7 days and 1 expired tokens" in capsys.readouterr().out
    assert not MachineClientCall.objects.exists() and not AccessToken.objects.exists()


# --- schema -------------------------------------------------------------------------------------------------------


def test_the_schema_documents_the_oauth2_client_credentials_scheme_and_scopes(db):
    schema = Client().get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token/"
    assert set(flow["scopes"]) == {"register:read", "figures:read", "borough:read"}
    operations = {
        (path, method): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict)
    }
    schools = operations[("/api/v1/schools/", "get")]
    assert {"oauth2": ["register:read"]} in schools["security"]
    assert {"oauth2": ["borough:read"]} in operations[("/api/v1/insights/own-borough/", "get")]["security"]
    referrals = operations[("/api/v1/stepping-stones/referrals/", "get")]
    assert not any("oauth2" in requirement for requirement in referrals.get("security", []))
    assert ("/api/v1/api-clients/", "post") in operations
