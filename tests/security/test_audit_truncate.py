"""On PostgreSQL the database refuses TRUNCATE of the audit table from any session that has not set
`portal.allow_audit_truncate` to 'on' (only the test suite's connections do, so that transactional tests can flush)."""

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.db import connection

from core.models import AuditEvent
from core.services import audit_record
from tests.accounts.factories import UserFactory

# A transactional test: the test's own connection holds no lock on the audit table while a second connection tries.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _fresh_connection() -> psycopg.Connection:
    """A new session to the test database, as the application (or anyone with its credentials) would open one."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def test_truncate_of_the_audit_table_is_refused_without_the_session_setting():
    event = audit_record(actor=UserFactory(), verb="wand_request.approved", target=Group.objects.create(name="WR-1"))
    with _fresh_connection() as other:
        setting = other.execute("SELECT current_setting('portal.allow_audit_truncate', true)").fetchone()[0]
        assert setting in (None, ""), "the fresh session must not carry the tests' setting"
        with pytest.raises(psycopg.errors.RestrictViolation, match=r"append-only \(TRUNCATE refused\)"):
            other.execute("TRUNCATE core_auditevent")
        with pytest.raises(psycopg.errors.RestrictViolation, match="TRUNCATE refused"):
            other.execute("TRUNCATE core_auditevent CASCADE")
        with pytest.raises(psycopg.errors.RestrictViolation, match="TRUNCATE refused"):
            other.execute("SET portal.allow_audit_truncate = 'off'; TRUNCATE core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_test_suites_own_connections_may_truncate_so_transactional_tests_can_flush():
    """The other half of the bargain: without this the flush after every transactional test would fail."""
    audit_record(actor=UserFactory(), verb="wand_request.approved", target=Group.objects.create(name="WR-2"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('portal.allow_audit_truncate', true)")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("TRUNCATE core_auditevent CASCADE")
    assert not AuditEvent.objects.exists()
