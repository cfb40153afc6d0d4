"""Two headteachers approving the same request at once: one outcome (real threads, PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import JoinRequest, SchoolMembership
from core.errors import InvalidTransition
from core.models import AuditEvent
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data

from .factories import JoinRequestFactory, SchoolFactory, SchoolMembershipFactory


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """An earlier transactional test may have flushed the data-migrated authorities and BCUs."""
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


def run_together(*calls):
    """Start every call at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "decline"])
def test_two_headteachers_deciding_at_once_give_one_outcome(second):
    school = SchoolFactory()
    first_head = SchoolMembershipFactory(school=school, headteacher=True).user
    second_head = SchoolMembershipFactory(school=school, headteacher=True).user
    join_request = JoinRequestFactory(school=school)

    def approve():
        return services.join_request_approve(actor=first_head, join_request_id=join_request.pk)

    def other():
        if second == "approve":
            return services.join_request_approve(actor=second_head, join_request_id=join_request.pk)
        return services.join_request_decline(actor=second_head, join_request_id=join_request.pk, reason="Not ours")

    results = run_together(approve, other)
    conflicts = [r for r in results if isinstance(r, InvalidTransition)]
    decided = [r for r in results if isinstance(r, JoinRequest)]
    assert len(conflicts) == 1 and len(decided) == 1, results
    join_request.refresh_from_db()
    assert join_request.status in {"approved", "declined"}
    assert AuditEvent.objects.filter(verb__in=["join_request.approved", "join_request.declined"]).count() == 1
    members = SchoolMembership.objects.current().filter(user=join_request.user).count()
    assert members == (1 if join_request.status == "approved" else 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_request_twice_at_once_is_one_request():
    school = SchoolFactory()
    user = SchoolMembershipFactory().user

    def ask():
        return services.join_request_create(user=user, school=school)

    results = run_together(ask, ask)
    assert JoinRequest.objects.filter(user=user, school=school).count() == 1
    assert sum(isinstance(r, JoinRequest) for r in results) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_remind_each_reviewer_once():
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import AccessReviewReminder

    from .factories import PoliceRoleFactory, programme_admin

    admin = programme_admin()
    PoliceRoleFactory(granted_at=timezone.now() - timedelta(days=175))
    results = run_together(*[services.access_review_reminders_send for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 1
    assert list(AccessReviewReminder.objects.values_list("recipient_id", flat=True)) == [admin.pk]
