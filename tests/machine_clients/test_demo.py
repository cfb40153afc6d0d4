"""The demo's registered system: `make run` shows client credentials working with the published demo id and secret."""

import io
from types import SimpleNamespace

import pytest

from core.models import AuditEvent
from machine_clients import demo
from machine_clients.models import MachineClient
from tests.accounts.factories import programme_admin

from .conftest import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(settings):
    from accounts.demo import demo_email

    settings.DEBUG = True
    return programme_admin(email=demo_email("programme-admin"))


def test_the_demo_system_gets_a_token_with_the_documented_credentials_and_reads_its_borough(demo_admin, api_as):
    out = io.StringIO()
    demo.seed(stdout=out, options={})

    client = MachineClient.objects.get()
    assert client.client_id == demo.CLIENT_ID and client.local_authority_id == demo.HACKNEY
    assert demo.CLIENT_SECRET not in client.application.client_secret  # stored hashed
    registered = AuditEvent.objects.get(verb="machine_client.registered")
    assert registered.data["client_id"] == demo.CLIENT_ID  # the audit records the id the system uses
    assert demo.CLIENT_ID in out.getvalue()

    status, token = token_for(SimpleNamespace(client=client, client_secret=demo.CLIENT_SECRET))
    assert status == 200 and set(token["scope"].split()) == {"register:read", "figures:read", "borough:read"}
    assert api_as(token["access_token"]).get("/api/v1/insights/own-borough/").status_code == 200


def test_seeding_again_registers_nothing_more_and_random_ids_are_drawn_again_afterwards(demo_admin, register):
    demo.seed(stdout=io.StringIO(), options={})
    again = io.StringIO()
    demo.seed(stdout=again, options={})
    assert MachineClient.objects.count() == 1 and "already registered" in again.getvalue()

    other = register(name="Camden nightly import")
    assert other.client.client_id != demo.CLIENT_ID and other.client_secret != demo.CLIENT_SECRET


def test_no_demo_system_without_debug(settings, demo_admin):
    settings.DEBUG = False
    demo.seed(stdout=io.StringIO(), options={})
    assert not MachineClient.objects.exists()
