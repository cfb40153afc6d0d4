"""The audit is append-only from the application's side: no ORM path, admin page or API method changes or deletes an
entry, and on PostgreSQL the database itself refuses UPDATE and DELETE whatever asks."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.services import audit_record
from tests.accounts.factories import UserFactory, programme_admin, with_two_factor

from .conftest import walk_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(
        actor=UserFactory(), verb="wand_request.approved", target=Group.objects.create(name="WR-1"), reason="Original"
    )


def _unchanged(event):
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.reason, fresh.verb, fresh.to_state) == ("Original", "wand_request.approved", "")


@pytest.mark.parametrize(
    "attempt",
    [
        "instance.save",
        "instance.delete",
        "queryset.update",
        "queryset.delete",
        "manager.bulk_update",
        "manager.update_or_create",
    ],
)
def test_the_orm_refuses_every_change(event, attempt):
    # In a savepoint: bulk_update's own atomic block marks the surrounding transaction when it fails.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        if attempt == "instance.save":
            event.reason = "Rewritten"
            event.save()
        elif attempt == "instance.delete":
            event.delete()
        elif attempt == "queryset.update":
            AuditEvent.objects.filter(pk=event.pk).update(reason="Rewritten")
        elif attempt == "queryset.delete":
            AuditEvent.objects.filter(pk=event.pk).delete()
        elif attempt == "manager.bulk_update":
            event.reason = "Rewritten"
            AuditEvent.objects.bulk_update([event], ["reason"])
        elif attempt == "manager.update_or_create":
            AuditEvent.objects.update_or_create(pk=event.pk, defaults={"reason": "Rewritten"})
    _unchanged(event)


def test_the_admin_reads_but_never_adds_changes_or_deletes(client: Client, event):
    admin_model = site._registry[AuditEvent]
    assert not admin_model.has_add_permission(None)
    assert not admin_model.has_change_permission(None, event)
    assert not admin_model.has_delete_permission(None, event)
    superuser = with_two_factor(UserFactory(is_staff=True, is_superuser=True))  # the widest admin access there is
    client.force_login(superuser)
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    client.post(change_url, {"reason": "Rewritten", "verb": "forged"})
    client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    client.post(
        reverse("admin:core_auditevent_changelist"), {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert client.post(reverse("admin:core_auditevent_add"), {"verb": "forged"}).status_code == 403
    assert AuditEvent.objects.count() == 1
    _unchanged(event)
    actions = admin_model.get_actions(type("Request", (), {"user": superuser, "GET": {}, "POST": {}})())
    assert "delete_selected" not in actions


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_has_no_write_method(event, method):
    api = APIClient()
    api.force_authenticate(with_two_factor(programme_admin()))
    response = getattr(api, method)(reverse("audit-api:list"), {"reason": "Rewritten"}, format="json")
    assert response.status_code == 405
    _unchanged(event)


def test_no_url_other_than_the_read_only_ones_serves_the_audit():
    """Only the search page, its export, the API list and the admin's read-only pages touch audit entries."""
    audit_routes = sorted(name for _path, name, _view, _conv in walk_patterns() if "audit" in name)
    expected = {
        "audit:search",
        "audit:export",
        "audit-api:list",
        "admin:core_auditevent_changelist",
        "admin:core_auditevent_add",
        "admin:core_auditevent_history",
        "admin:core_auditevent_delete",
        "admin:core_auditevent_change",
    }
    assert set(audit_routes) <= expected, set(audit_routes) - expected


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET reason = 'Rewritten' WHERE id = %s",
        "UPDATE core_auditevent SET created_at = created_at - interval '1 day' WHERE id = %s",
        "UPDATE core_auditevent SET actor_id = NULL, verb = 'forged' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
    ids=["reason", "backdate", "actor-and-verb", "delete"],
)
def test_postgres_refuses_raw_sql_changes(event, sql):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    _unchanged(event)


@pytest.mark.postgres
def test_postgres_refuses_the_managers_that_skip_the_orm_guard(event):
    """`_base_manager` (used by Django internals) has no append-only queryset: the trigger still refuses."""
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(reason="Rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk)._raw_delete(using="default")
    _unchanged(event)
