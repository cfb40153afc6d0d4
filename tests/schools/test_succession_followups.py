"""After a succession: the successor's staff see and act on what was delivered to its predecessors (any generation),
figures follow chains of conversions, undo tells the people who move back, and the admin lists the new tables."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from schools.models import School, SchoolChange
from schools.reviews import school_change_apply, school_change_undo
from tests.accounts.factories import (
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    programme_admin,
    with_two_factor,
)
from tests.wands.factories import WandRequestFactory
from wands import services
from wands.models import AllowanceRule, WandIssue
from wands.selectors import dashboard_figures, wand_request_get, wands_held_against_allowance

pytestmark = pytest.mark.django_db


def succession(old, new) -> SchoolChange:
    return SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, found_at=timezone.now()
    )


@pytest.fixture
def admin():
    return programme_admin()


@pytest.fixture
def chain(admin):
    """A school that converted twice (A -> B -> C): wands were delivered to A before the first conversion."""
    AllowanceRule.objects.update_or_create(phase="", min_pupils=0, defaults={"wands": 6})
    a, b, c = (SchoolFactory(phase=School.Phase.SECONDARY, number_of_pupils=900) for _ in range(3))
    delivered = WandRequestFactory(school=a, delivered=True, quantity=4)
    school_change_apply(actor=admin, change_id=succession(a, b).pk)
    school_change_apply(actor=admin, change_id=succession(b, c).pk)
    head = SchoolMembershipFactory(school=c, headteacher=True)
    return {"a": a, "b": b, "c": c, "delivered": delivered, "head": with_two_factor(head.user)}


def test_the_successors_staff_open_a_delivery_made_to_its_predecessor_two_conversions_back(client, chain):
    head, delivered = chain["head"], chain["delivered"]
    assert wand_request_get(user=head, pk=delivered.pk) == delivered
    client.force_login(head)
    page = client.get(reverse("wands:request_detail", args=[delivered.pk]))
    assert page.status_code == 200
    assert delivered.reference in page.content.decode()
    api = APIClient()
    api.force_authenticate(head)
    answer = api.get(reverse("wands-api:request", args=[delivered.pk]))
    assert answer.status_code == 200, answer.content
    # Someone at an unrelated school still gets nothing.
    stranger = with_two_factor(SchoolMembershipFactory(headteacher=True).user)
    assert wand_request_get(user=stranger, pk=delivered.pk) is None
    client.force_login(stranger)
    assert client.get(reverse("wands:request_detail", args=[delivered.pk])).status_code == 404


def test_the_successor_reports_a_fault_and_the_replacement_is_its_own(chain):
    issue = services.wand_issue_report(
        wand_request_id=chain["delivered"].pk,
        actor=chain["head"],
        kind=WandIssue.Kind.FAULTY,
        outcome=WandIssue.Outcome.REPLACEMENT,
        quantity=1,
        details="One does not light up",
    )
    assert issue.replacement.school_id == chain["c"].pk  # not the closed school it was delivered to


def test_figures_and_the_allowance_follow_a_chain_of_conversions(chain):
    assert wands_held_against_allowance(chain["c"]) == 4
    assert dashboard_figures()["schools_taken_up"] == 1  # C, through B, through A


def test_undo_tells_each_person_who_moves_back(admin, django_capture_on_commit_callbacks):
    old, new = SchoolFactory(name="Old Road School"), SchoolFactory(name="Old Road Academy")
    head = SchoolMembershipFactory(school=old, headteacher=True)
    staff = SchoolMembershipFactory(school=old)
    change = school_change_apply(actor=admin, change_id=succession(old, new).pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        school_change_undo(actor=admin, change_id=change.pk, reason="GIAS corrected the link")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([head.user.email, staff.user.email])
    message = mail.outbox[0]
    assert "back at URN" in message.subject
    assert "Old Road School" in message.body and "undone" in message.body
    assert "GIAS corrected" not in message.body  # the admin's reason is internal


@pytest.mark.parametrize("model", ["schoolchange", "schoollink"])
def test_the_admin_lists_the_register_changes_read_only(client, model):
    succession(SchoolFactory(), SchoolFactory())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:schools_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:schools_{model}_add")).status_code == 403
