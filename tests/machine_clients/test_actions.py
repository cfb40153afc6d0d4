"""MachineClient.ACTIONS: a client not yet revoked (active or expired) can be revoked, by programme admins only."""

import pytest
from django.urls import reverse

from core.workflow import open_actions
from tests.accounts.factories import UserFactory

from .conftest import expire

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("state", "offered"), [("active", True), ("expired", True), ("revoked", False)])
def test_revoke_is_open_until_the_client_is_revoked(client, admin, register, state, offered):
    machine_client = register().client
    if state == "expired":
        expire(machine_client)
    if state == "revoked":
        type(machine_client).objects.filter(pk=machine_client.pk).update(revoked_at=machine_client.created_at)
    machine_client.refresh_from_db()
    assert machine_client.status == state
    assert ("revoke" in open_actions(machine_client, admin)) == offered
    assert open_actions(machine_client, UserFactory()) == {}
    client.force_login(admin)
    body = client.get(reverse("machine_clients:detail", kwargs={"pk": machine_client.pk})).content.decode()
    assert (reverse("machine_clients:revoke", kwargs={"pk": machine_client.pk}) in body) == offered
