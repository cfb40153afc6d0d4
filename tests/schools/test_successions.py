"""Applying a succession moves each programme's records to the successor, asks about conflicts, is audited from -> to,
and can be undone in one action within 30 days unless a moved record changed since."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import SchoolDuty, SchoolMembership
from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent
from officers.models import Assignment
from schools.models import School, SchoolChange
from schools.reviews import (
    school_change_apply,
    school_change_previews,
    school_change_undo,
    school_changes_apply,
    school_changes_dismiss,
)
from stepping_stones.models import Cohort, ParticipatingSchool, Referral
from tests.accounts.factories import (
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    headteacher_of,
    programme_admin,
)
from tests.officers.factories import AssignmentFactory
from tests.stepping_stones.factories import CohortFactory, ParticipatingSchoolFactory, ReferralFactory
from tests.wands.factories import WandRequestFactory
from wands.models import AllowanceRule, WandRequest
from wands.selectors import school_allowance_figures, wands_held_against_allowance

pytestmark = pytest.mark.django_db


def succession(old=None, new=None, **kwargs) -> SchoolChange:
    old = old or SchoolFactory(phase=School.Phase.SECONDARY)
    new = new or SchoolFactory(phase=School.Phase.SECONDARY)
    return SchoolChange.objects.create(
        kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, found_at=timezone.now(), **kwargs
    )


@pytest.fixture
def admin():
    return programme_admin()


@pytest.fixture
def conversion():
    """An old school with something in every programme, converting to an empty academy."""
    old = SchoolFactory(phase=School.Phase.SECONDARY, number_of_pupils=900)
    new = SchoolFactory(phase=School.Phase.SECONDARY, number_of_pupils=900, name="Oakfield Academy")
    head = SchoolMembershipFactory(school=old, headteacher=True)
    staff = SchoolMembershipFactory(school=old)
    duty = SchoolDutyFactory(membership=staff, stepping_stones_lead=True)
    AllowanceRule.objects.update_or_create(phase="", min_pupils=0, defaults={"wands": 6})
    delivered = WandRequestFactory(school=old, delivered=True, quantity=4)
    open_request = WandRequestFactory(school=old, approved=True, quantity=1)
    assignment = AssignmentFactory(school=old)
    cohort = CohortFactory(transition_year=2026)
    ended_cohort = CohortFactory(transition_year=2024, status=Cohort.Status.ENDED)
    participation = ParticipatingSchoolFactory(cohort=cohort, school=old, places=30)
    old_participation = ParticipatingSchoolFactory(cohort=ended_cohort, school=old, places=30)
    receiving = ReferralFactory(cohort=cohort, receiving_school=old, submitted=True)
    closed_cohort_referral = ReferralFactory(cohort=ended_cohort, receiving_school=old, submitted=True)
    return {
        "old": old,
        "new": new,
        "change": succession(old, new),
        "head": head,
        "staff": staff,
        "duty": duty,
        "delivered": delivered,
        "open_request": open_request,
        "assignment": assignment,
        "participation": participation,
        "old_participation": old_participation,
        "receiving": receiving,
        "closed_cohort_referral": closed_cohort_referral,
    }


def test_a_conversion_moves_each_programmes_records_and_tells_the_people(
    admin, conversion, django_capture_on_commit_callbacks
):
    c = conversion
    before = wands_held_against_allowance(c["old"])
    with django_capture_on_commit_callbacks(execute=True):
        change = school_change_apply(actor=admin, change_id=c["change"].pk)

    assert change.status == SchoolChange.Status.APPLIED
    c["old"].refresh_from_db()
    assert c["old"].status == School.Status.CLOSED
    # People and their duties.
    assert set(SchoolMembership.objects.current().filter(school=c["new"]).values_list("pk", flat=True)) == {
        c["head"].pk,
        c["staff"].pk,
    }
    assert SchoolDuty.objects.current().get(pk=c["duty"].pk).membership.school_id == c["new"].pk
    assert sorted(m.to[0] for m in mail.outbox) == sorted([c["head"].user.email, c["staff"].user.email])
    assert "Oakfield Academy" in mail.outbox[0].body
    # Wands: open request moves, delivered stays, the successor's holdings include it (no second allowance).
    assert WandRequest.objects.get(pk=c["open_request"].pk).school_id == c["new"].pk
    assert WandRequest.objects.get(pk=c["delivered"].pk).school_id == c["old"].pk
    assert wands_held_against_allowance(c["new"]) == before
    assert school_allowance_figures(school=c["new"]).remaining == 1
    # The named officer.
    assert Assignment.objects.get(pk=c["assignment"].pk).school_id == c["new"].pk
    # Stepping Stones: open cohorts move, ended ones stay.
    assert ParticipatingSchool.objects.get(pk=c["participation"].pk).school_id == c["new"].pk
    assert ParticipatingSchool.objects.get(pk=c["old_participation"].pk).school_id == c["old"].pk
    assert Referral.objects.get(pk=c["receiving"].pk).receiving_school_id == c["new"].pk
    assert Referral.objects.get(pk=c["closed_cohort_referral"].pk).receiving_school_id == c["old"].pk
    # Audited from -> to.
    moved = AuditEvent.objects.filter(data__school_change=change.pk, verb__endswith="moved")
    assert {(e.verb, e.from_state, e.to_state) for e in moved} >= {
        ("membership.moved", str(c["old"].pk), str(c["new"].pk)),
        ("wand_request.moved", str(c["old"].pk), str(c["new"].pk)),
        ("assignment.moved", str(c["old"].pk), str(c["new"].pk)),
        ("referral.receiving_school_moved", str(c["old"].pk), str(c["new"].pk)),
    }
    referral_event = moved.get(verb="referral.receiving_school_moved")
    assert referral_event.target_label == c["receiving"].reference  # a reference, never a name
    assert AuditEvent.objects.filter(verb="school_change.applied", target_id=str(change.pk)).exists()


def test_undo_restores_everything(admin, conversion):
    c = conversion
    change = school_change_apply(actor=admin, change_id=c["change"].pk)
    school_change_undo(actor=admin, change_id=change.pk)

    change.refresh_from_db()
    assert change.status == SchoolChange.Status.UNDONE
    c["old"].refresh_from_db()
    assert c["old"].status == School.Status.OPEN
    assert SchoolMembership.objects.current().filter(school=c["old"]).count() == 2
    assert WandRequest.objects.get(pk=c["open_request"].pk).school_id == c["old"].pk
    assert Assignment.objects.get(pk=c["assignment"].pk).school_id == c["old"].pk
    assert ParticipatingSchool.objects.get(pk=c["participation"].pk).school_id == c["old"].pk
    assert Referral.objects.get(pk=c["receiving"].pk).receiving_school_id == c["old"].pk
    assert wands_held_against_allowance(c["new"]) == 0
    assert AuditEvent.objects.filter(verb="school_change.undone").count() == 1


def test_undo_is_refused_when_a_moved_record_changed_since(admin, conversion):
    c = conversion
    change = school_change_apply(actor=admin, change_id=c["change"].pk)
    Assignment.objects.filter(pk=c["assignment"].pk).update(end_date=timezone.localdate())
    with pytest.raises(Conflict, match="officer assignment"):
        school_change_undo(actor=admin, change_id=change.pk)
    assert SchoolChange.objects.get(pk=change.pk).status == SchoolChange.Status.APPLIED
    assert Referral.objects.get(pk=c["receiving"].pk).receiving_school_id == c["new"].pk  # nothing undone


def test_undo_is_refused_after_30_days(admin, conversion):
    change = school_change_apply(actor=admin, change_id=conversion["change"].pk)
    with pytest.raises(Conflict, match="30 days"):
        school_change_undo(actor=admin, change_id=change.pk, now=timezone.now() + datetime.timedelta(days=31))


def test_a_successor_with_a_headteacher_and_officer_is_a_conflict_answered_before_applying(admin, conversion):
    c = conversion
    other_head = SchoolMembershipFactory(school=c["new"], headteacher=True)
    AssignmentFactory(school=c["new"])
    [preview] = school_change_previews([c["change"]])
    assert {q.key for q in preview.questions} == {"headteacher", "officer"}

    with pytest.raises(DomainError, match="choose what to do"):
        school_change_apply(actor=admin, change_id=c["change"].pk)
    assert SchoolChange.objects.get(pk=c["change"].pk).status == SchoolChange.Status.PENDING
    assert School.objects.get(pk=c["old"].pk).status == School.Status.OPEN

    school_change_apply(
        actor=admin,
        change_id=c["change"].pk,
        choices={"headteacher": "demote_moving", "officer": "keep_successor"},
    )
    assert SchoolMembership.objects.get(pk=c["head"].pk).role == SchoolMembership.Role.STAFF
    assert SchoolMembership.objects.get(pk=other_head.pk).role == SchoolMembership.Role.HEADTEACHER
    assert Assignment.objects.get(pk=c["assignment"].pk).end_date is not None
    assert Assignment.objects.filter(school=c["new"], end_date__isnull=True).count() == 1


def test_keeping_the_predecessors_officer_ends_the_successors(admin, conversion):
    c = conversion
    theirs = AssignmentFactory(school=c["new"])
    school_change_apply(actor=admin, change_id=c["change"].pk, choices={"officer": "keep_predecessor"})
    assert Assignment.objects.get(pk=theirs.pk).end_date is not None
    assert Assignment.objects.get(school=c["new"], end_date__isnull=True).pk == c["assignment"].pk


def test_an_amalgamation_asks_about_conflicts_between_its_predecessors(admin):
    new = SchoolFactory()
    first, second = SchoolFactory(), SchoolFactory()
    SchoolMembershipFactory(school=first, headteacher=True)
    SchoolMembershipFactory(school=second, headteacher=True)
    SchoolDutyFactory(membership=SchoolMembershipFactory(school=first), stepping_stones_lead=True)
    SchoolDutyFactory(membership=SchoolMembershipFactory(school=second), stepping_stones_lead=True)
    changes = [succession(first, new), succession(second, new)]
    previews = school_change_previews(changes)
    assert all({q.key for q in p.questions} == {"headteacher", "stepping_stones_lead"} for p in previews)

    applied, skipped = school_changes_apply(actor=admin, change_ids=[c.pk for c in changes], skip_unanswered=True)
    assert applied == [] and len(skipped) == 2  # "apply all" leaves the ones with questions

    school_changes_apply(
        actor=admin,
        change_ids=[c.pk for c in changes],
        choices={c.pk: {"headteacher": "keep_both", "stepping_stones_lead": "keep_both"} for c in changes},
    )
    assert SchoolMembership.objects.current().filter(school=new, role="headteacher").count() == 2
    assert School.objects.filter(pk__in=[first.pk, second.pk], status=School.Status.CLOSED).count() == 2


def test_someone_already_at_the_successor_keeps_one_membership(admin):
    old, new = SchoolFactory(), SchoolFactory()
    user = UserFactory()
    moving = SchoolMembershipFactory(school=old, user=user)
    SchoolMembershipFactory(school=new, user=user)
    change = school_change_apply(actor=admin, change_id=succession(old, new).pk)
    assert SchoolMembership.objects.current().filter(user=user).count() == 1
    assert SchoolMembership.objects.get(pk=moving.pk).ended_at is not None
    school_change_undo(actor=admin, change_id=change.pk)
    assert SchoolMembership.objects.get(pk=moving.pk).ended_at is None


def test_a_closure_closes_the_school_and_can_be_undone(admin):
    school = SchoolFactory()
    change = SchoolChange.objects.create(kind=SchoolChange.Kind.CLOSURE, school=school, found_at=timezone.now())
    school_change_apply(actor=admin, change_id=change.pk)
    assert School.objects.get(pk=school.pk).status == School.Status.CLOSED
    school_change_undo(actor=admin, change_id=change.pk)
    assert School.objects.get(pk=school.pk).status == School.Status.OPEN


def test_dismissing_needs_a_reason_and_writes_nothing_without_one(admin):
    change = succession()
    with pytest.raises(DomainError, match="reason"):
        school_changes_dismiss(actor=admin, change_ids=[change.pk], reason="  ")
    assert SchoolChange.objects.get(pk=change.pk).status == SchoolChange.Status.PENDING
    school_changes_dismiss(actor=admin, change_ids=[change.pk], reason="The school is not converting after all")
    change.refresh_from_db()
    assert (change.status, change.reason) == (SchoolChange.Status.DISMISSED, "The school is not converting after all")
    assert AuditEvent.objects.filter(verb="school_change.dismissed", reason=change.reason).count() == 1
    with pytest.raises(InvalidTransition):
        school_change_apply(actor=admin, change_id=change.pk)


def test_only_reviewers_apply_dismiss_or_undo(admin):
    change = succession()
    head = headteacher_of(change.school)
    for attempt in (
        lambda: school_change_apply(actor=head, change_id=change.pk),
        lambda: school_changes_dismiss(actor=head, change_ids=[change.pk], reason="no"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    school_change_apply(actor=admin, change_id=change.pk)
    with pytest.raises(PermissionDenied):
        school_change_undo(actor=head, change_id=change.pk)


def test_a_wand_request_on_the_closed_predecessor_is_refused(admin, conversion):
    from wands.services import wand_request_submit

    school_change_apply(actor=admin, change_id=conversion["change"].pk)
    head = conversion["head"].user
    old = School.objects.get(pk=conversion["old"].pk)
    with pytest.raises((DomainError, PermissionDenied)):
        wand_request_submit(
            actor=head,
            school=old,
            quantity=1,
            contact_name="A",
            contact_phone="020 7946 0000",
            delivery_address="1 Road",
            delivery_postcode="E8 1AA",
            policy_confirmed=True,
        )


def test_figures_count_a_successor_with_its_predecessor(admin, conversion):
    """Take-up is a series that spans the conversion: the academy has taken up the offer its predecessor took up."""
    from insights.selectors import dashboard
    from public.selectors import _school_counts_by_borough
    from wands.selectors import dashboard_figures

    def figures():
        board = dashboard(user=admin)
        return (
            dashboard_figures()["schools_taken_up"],
            sum(row["taken_up"] for row in _school_counts_by_borough().values()),  # before suppression
            sum(row.schools_taken_up for row in board.rows),
        )

    # Only the delivered request (which stays on the old school) makes it a take-up.
    WandRequest.objects.filter(pk=conversion["open_request"].pk).update(status=WandRequest.Status.CANCELLED)
    before = figures()
    school_change_apply(actor=admin, change_id=conversion["change"].pk)
    assert not WandRequest.objects.filter(school=conversion["new"]).exists()
    assert figures() == before
    assert dashboard_figures()["schools_taken_up"] == 1


def test_an_amalgamation_merges_the_predecessors_holdings(admin):
    AllowanceRule.objects.update_or_create(phase="", min_pupils=0, defaults={"wands": 6})
    new = SchoolFactory(number_of_pupils=900)
    first, second = SchoolFactory(), SchoolFactory()
    WandRequestFactory(school=first, delivered=True, quantity=2)
    WandRequestFactory(school=second, delivered=True, quantity=3)
    changes = [succession(first, new), succession(second, new)]
    school_changes_apply(actor=admin, change_ids=[c.pk for c in changes])
    assert wands_held_against_allowance(new) == 5
    assert school_allowance_figures(school=new).remaining == 1


def test_undo_names_a_referral_that_moved_on_since(admin, conversion):
    c = conversion
    change = school_change_apply(actor=admin, change_id=c["change"].pk)
    elsewhere = SchoolFactory(phase=School.Phase.SECONDARY)
    Referral.objects.filter(pk=c["receiving"].pk).update(receiving_school=elsewhere)
    with pytest.raises(Conflict, match=c["receiving"].reference):
        school_change_undo(actor=admin, change_id=change.pk)
