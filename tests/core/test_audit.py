"""The audit record: append-only, complete, read back per object in order; readable but unchangeable in the admin."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.request_context import request_id_var
from core.selectors import audit_timeline
from core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser(email="admin@vru.example", password="a-long-test-password")


@pytest.fixture
def group():
    return Group.objects.create(name="Wand request 42")


def test_audit_record_stores_everything(admin_user, group):
    token = request_id_var.set("req-1234abcd")
    try:
        event = audit_record(
            actor=admin_user,
            verb="wand_request.approved",
            target=group,
            from_state="submitted",
            to_state="approved",
            reason="Behaviour policy confirmed",
            data={"quantity": 4},
        )
    finally:
        request_id_var.reset(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == admin_user
    assert event.actor_label == "admin@vru.example"
    assert event.verb == "wand_request.approved"
    assert event.target_type.model_class() is Group
    assert event.target_id == str(group.pk)
    assert event.target_label == "Wand request 42"
    assert (event.from_state, event.to_state) == ("submitted", "approved")
    assert event.reason == "Behaviour policy confirmed"
    assert event.data == {"quantity": 4}
    assert event.request_id == "req-1234abcd"
    assert event.created_at is not None


def test_system_actor_and_label_override(group):
    event = audit_record(actor=None, verb="access.lapsed", target=group, target_label="Pupil record 7")
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.target_label == "Pupil record 7"


def test_request_id_comes_from_the_middleware(admin_user, group):
    """A request through the middleware stack: the id in the response header is the one stored with the event."""
    events = []

    def view(request):
        from django.http import HttpResponse

        events.append(audit_record(actor=admin_user, verb="viewed", target=group))
        return HttpResponse("ok")

    from core.middleware import RequestIdMiddleware

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="proxy-id-0001")
    response = RequestIdMiddleware(view)(request)
    assert response["X-Request-ID"] == "proxy-id-0001"
    assert events[0].request_id == "proxy-id-0001"
    # Outside a request there is no id.
    assert audit_record(actor=admin_user, verb="later", target=group).request_id == ""


def test_events_are_append_only(admin_user, group):
    event = audit_record(actor=admin_user, verb="created", target=group)
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.reason == ""
    assert AuditEvent.objects.count() == 1


def test_deleting_an_actor_keeps_their_events(admin_user, group):
    event = audit_record(actor=admin_user, verb="created", target=group)
    admin_user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.actor_label == "admin@vru.example"


def test_timeline_is_one_objects_events_in_order(admin_user, group):
    other_group = Group.objects.create(name="Another request")
    # A different model with the same primary key must not leak into the timeline.
    same_pk_user = get_user_model().objects.filter(pk=group.pk).first() or admin_user
    audit_record(actor=admin_user, verb="submitted", target=group, to_state="submitted")
    audit_record(actor=admin_user, verb="submitted", target=other_group, to_state="submitted")
    audit_record(actor=admin_user, verb="user.changed", target=same_pk_user)
    audit_record(actor=admin_user, verb="approved", target=group, from_state="submitted", to_state="approved")
    audit_record(actor=None, verb="dispatched", target=group, from_state="approved", to_state="dispatched")

    timeline = list(audit_timeline(target=group))
    assert [event.verb for event in timeline] == ["submitted", "approved", "dispatched"]
    assert all(event.target_id == str(group.pk) for event in timeline)
    assert [event.verb for event in audit_timeline(target=other_group)] == ["submitted"]


def test_timeline_query_count_does_not_grow(admin_user, group, django_assert_num_queries):
    for index in range(3):
        audit_record(actor=admin_user, verb=f"step_{index}", target=group)
    with django_assert_num_queries(1):
        render_to_string("core/timeline.html", {"events": audit_timeline(target=group)})
    for index in range(50):
        audit_record(actor=admin_user, verb=f"more_{index}", target=group)
    with django_assert_num_queries(1):
        html = render_to_string("core/timeline.html", {"events": audit_timeline(target=group)})
    assert html.count('<li class="portal-timeline__item">') == 53


def test_timeline_template_shows_who_what_when_states_and_reason(admin_user, group):
    audit_record(
        actor=admin_user,
        verb="wand_request.approved",
        target=group,
        from_state="submitted",
        to_state="approved_in_part",
        reason="Stock is low <b>this</b> term",
    )
    audit_record(actor=None, verb="access.lapsed", target=group)
    html = render_to_string("core/timeline.html", {"events": audit_timeline(target=group), "heading_level": 2})
    assert '<ol class="portal-timeline">' in html
    assert '<h2 class="portal-timeline__title">Wand request approved</h2>' in html
    assert "by admin@vru.example" in html
    assert "by system" in html
    assert "Status changed from <strong>submitted</strong> to <strong>approved in part</strong>" in html
    assert "Reason: Stock is low &lt;b&gt;this&lt;/b&gt; term" in html
    event = audit_timeline(target=group).first()
    local = timezone.localtime(event.created_at)
    expected_time = f"{local:%-d %B %Y} at {local:%-I:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")
    assert f'<time datetime="{local.isoformat()}">{expected_time}</time>' in html


def test_timeline_template_when_empty(group):
    html = render_to_string("core/timeline.html", {"events": audit_timeline(target=group)})
    assert "No history yet." in html
    assert "<ol" not in html


def test_admin_lists_and_shows_events_but_cannot_change_them(client, admin_user, group):
    event = audit_record(actor=admin_user, verb="created", target=group, reason="Set up")
    model_admin = site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert model_admin.has_view_permission(request, event)

    client.force_login(admin_user)
    listing = client.get(reverse("admin:core_auditevent_changelist"))
    assert listing.status_code == 200
    assert b"admin@vru.example" in listing.content
    detail = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert b"Set up" in detail.content
    assert b'name="_save"' not in detail.content

    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    posted = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"reason": "Changed"})
    assert posted.status_code == 403
    event.refresh_from_db()
    assert event.reason == "Set up"


def test_timeline_uses_the_index(group, admin_user):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans a sequential scan on a tiny table; the plan is checked on SQLite")
    audit_record(actor=admin_user, verb="created", target=group)
    sql, params = audit_timeline(target=group).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "audit_target_idx" in plan


@pytest.mark.postgres
def test_postgres_refuses_raw_sql_changes_but_lets_an_actor_go(admin_user, group):
    from django.db import IntegrityError, transaction

    event = audit_record(actor=admin_user, verb="created", target=group, reason="Set up")
    table = AuditEvent._meta.db_table
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'rewritten' WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_id = NULL, reason = 'sneaky' WHERE id = %s", [event.pk])
    admin_user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_label, event.reason) == (None, "admin@vru.example", "Set up")


def test_timeline_template_takes_an_apps_own_entries():
    import datetime

    entries = [
        {
            "title": "Dispatched",
            "at": datetime.datetime(2026, 11, 25, 9, 30, tzinfo=datetime.UTC),
            "by": "the programme team",
            "detail": "Royal Mail, tracking reference RM123",
        }
    ]
    html = render_to_string("core/timeline.html", {"events": entries})
    assert '<h3 class="portal-timeline__title">Dispatched</h3>' in html
    assert "by the programme team" in html
    assert "Royal Mail, tracking reference RM123" in html
    assert '<time datetime="2026-11-25T09:30:00+00:00">25 November 2026 at 9:30am</time>' in html
    assert "Status" not in html


# The audit log's cached entries (core.fragments) --------------------------------------------------------------------


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.django_db(transaction=True)
class TestAuditPageCache:
    """The entries of /audit/ are cached per person and filter: a second visit reads less and shows the same page; a
    new entry shows at once; a filter's errors are still checked on every visit; a coordinator's pupil entries never
    reach anyone else through the cache. `transaction=True`: see tests/core/test_fragments.py."""

    @staticmethod
    def signed_in(client, kind):
        from accounts.models import ProgrammeRole
        from tests.accounts.factories import ProgrammeRoleFactory, UserFactory, with_two_factor

        user = with_two_factor(ProgrammeRoleFactory(user=UserFactory(), kind=getattr(ProgrammeRole.Kind, kind)).user)
        client.force_login(user)
        return user

    @staticmethod
    def visit(client, url="/audit/"):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return response, len(queries)

    def test_the_second_visit_reads_less_and_a_new_entry_shows_at_once(self, client, group):
        admin = self.signed_in(client, "PROGRAMME_ADMIN")
        audit_record(actor=admin, verb="wand_request.approved", target=group)
        first, first_queries = self.visit(client)
        second, second_queries = self.visit(client)
        assert main(second.content.decode()) == main(first.content.decode())  # the nonce differs outside
        assert second_queries < first_queries
        assert "Wand request approved" in second.content.decode()
        audit_record(actor=admin, verb="wand_request.dispatched", target=group, reason="Sent by courier")
        page = self.visit(client)[0].content.decode()
        assert "Wand request dispatched" in page and "Sent by courier" in page

    def test_each_filter_is_its_own_and_errors_are_checked_every_time(self, client, group):
        admin = self.signed_in(client, "PROGRAMME_ADMIN")
        audit_record(actor=admin, verb="wand_request.approved", target=group)
        audit_record(actor=admin, verb="toolkit.published", target=group)
        filtered = "/audit/?verb=toolkit"
        page = self.visit(client, filtered)[0].content.decode()
        assert "Toolkit published" in page and "Wand request approved" not in page
        assert "Wand request approved" in self.visit(client)[0].content.decode()
        bad = "/audit/?date_from=2026-02-02&date_to=2026-01-01"
        for _ in range(2):
            response, _ = self.visit(client, bad)
            page = response.content.decode()
            assert "Error: Audit" in page and "must be the same as or after" in page
            assert "entries" not in page.split("govuk-grid-column-two-thirds")[1]

    def test_pupil_entries_stay_with_coordinators(self, client, group):
        coordinator = self.signed_in(client, "STEPPING_STONES_COORDINATOR")
        audit_record(actor=coordinator, verb="stepping_stones.consent.recorded", target=group)
        assert "Stepping stones consent recorded" in self.visit(client)[0].content.decode()
        self.signed_in(client, "PROGRAMME_ADMIN")
        page = self.visit(client)[0].content.decode()
        assert "Stepping stones consent recorded" not in page
