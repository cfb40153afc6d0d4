"""Assignments through the services: hard rules, reasons, history, the queue, audit and email after commit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.errors import Conflict, DomainError
from core.models import AuditEvent
from officers import selectors, services
from officers.models import Assignment, Officer, OfficerRequest
from tests.accounts.factories import SchoolFactory, bcu, london_authority

from .factories import AssignmentFactory, OfficerFactory, allocator

pytestmark = pytest.mark.django_db


def test_assign_top_suggestion_records_audit_and_emails_after_commit(
    alloc, school, near, far, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assignment = services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    assert assignment.weight == 20  # secondary under 1,200 pupils
    assert selectors.named_officer_for(school) == near
    assert AuditEvent.objects.filter(verb="assignment.created", target_id=str(assignment.pk)).count() == 1
    assert len(callbacks) == 1


def test_lower_ranked_officer_needs_a_reason_which_is_recorded(alloc, school, near, far):
    with pytest.raises(DomainError) as error:
        services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=far.pk)
    assert error.value.field == "override_reason"
    assert not Assignment.objects.exists()
    assignment = services.assignment_create(
        actor=alloc, school_urn=school.pk, officer_id=far.pk, override_reason="Knows the school well"
    )
    assert assignment.override_reason == "Knows the school well"
    assert AuditEvent.objects.get(verb="assignment.created").reason == "Knows the school well"


def test_officer_outside_the_school_bcu_is_refused(reference_data, school):
    user = allocator("central-east", "north")
    other = OfficerFactory(bcu=bcu("north"))
    with pytest.raises(DomainError, match="serves North Area"):
        services.assignment_create(actor=user, school_urn=school.pk, officer_id=other.pk, override_reason="x")
    assert not Assignment.objects.exists()


def test_allocator_outside_the_bcu_is_refused(reference_data, school, near):
    user = allocator("north")
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=user, school_urn=school.pk, officer_id=near.pk)


def test_city_of_london_school_is_out_of_scope(reference_data, near):
    user = allocator("central-east")
    from accounts.models import PoliceRole

    PoliceRole.objects.filter(user=user).update(all_london=True)
    city = SchoolFactory(local_authority=london_authority(201))
    with pytest.raises(DomainError, match="City of London Police"):
        services.assignment_create(actor=user, school_urn=city.pk, officer_id=near.pk)
    suggestions, note = selectors.suggestions_for(city)
    assert suggestions == [] and "City of London Police" in note


def test_over_capacity_needs_a_reason(alloc, school, reference_data):
    small = OfficerFactory(capacity=15)
    with pytest.raises(DomainError, match="133% of capacity") as error:
        services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=small.pk)
    assert error.value.field == "override_reason"
    assignment = services.assignment_create(
        actor=alloc, school_urn=school.pk, officer_id=small.pk, override_reason="Covering a vacancy until March"
    )
    assert assignment.override_reason


def test_second_assignment_for_a_school_is_a_conflict_unless_replacing(alloc, school, near, far):
    services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    with pytest.raises(Conflict, match="has just been given Near Officer"):
        services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=far.pk, override_reason="x")
    services.assignment_create(
        actor=alloc, school_urn=school.pk, officer_id=far.pk, override_reason="Headteacher asked", replace=True
    )
    history = list(selectors.school_assignment_history(school))
    assert [a.officer for a in history] == [far, near]
    assert history[1].end_date == date.today()


def test_database_allows_one_current_officer_per_school_and_start_before_end(school, near, far):
    AssignmentFactory(school=school, officer=near)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(school=school, officer=far)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(
            school=SchoolFactory(), officer=far, start_date=date.today(), end_date=date.today() - timedelta(days=1)
        )


def test_ending_an_officer_puts_their_schools_back_in_the_queue(alloc, school, near):
    services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    assert school not in selectors.queue_for(alloc)
    back = services.officer_end(actor=alloc, officer_id=near.pk, reason="Moved to response team")
    assert back == [school.pk]
    assert school in selectors.queue_for(alloc)
    near.refresh_from_db()
    assert near.active is False
    with pytest.raises(DomainError, match="no longer an active officer"):
        services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk, override_reason="x")


def test_end_needs_a_reason(alloc, near):
    with pytest.raises(DomainError):
        services.officer_end(actor=alloc, officer_id=near.pk, reason=" ")
    assert Officer.objects.get(pk=near.pk).active


def test_queue_is_scoped_to_the_allocators_bcus(reference_data, school):
    north_school = SchoolFactory(local_authority=london_authority(302))  # Barnet, North West
    user = allocator("central-east")
    queue = list(selectors.queue_for(user))
    assert school in queue and north_school not in queue


def test_headteacher_request_lands_in_the_queue_and_is_resolved_by_an_assignment(alloc, school, head, near):
    services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    assert school not in selectors.queue_for(alloc)
    services.officer_request_create(actor=head, school_urn=school.pk, kind="change", reason="No visits this term")
    queued = selectors.queue_for(alloc).get(pk=school.pk)
    assert queued.request_kind == "change"
    with pytest.raises(Conflict):
        services.officer_request_create(actor=head, school_urn=school.pk, kind="change", reason="Again")
    far = OfficerFactory(base_latitude=51.6)
    services.assignment_create(
        actor=alloc, school_urn=school.pk, officer_id=far.pk, override_reason="Asked", replace=True
    )
    assert OfficerRequest.objects.get().status == OfficerRequest.Status.RESOLVED


def test_only_the_headteacher_can_ask(alloc, school):
    with pytest.raises(PermissionDenied):
        services.officer_request_create(actor=alloc, school_urn=school.pk, kind="new", reason="x")


def test_suggestion_reasons_show_distance_and_load(alloc, school, near, far):
    AssignmentFactory(officer=near, weight=60)
    suggestions, note = selectors.suggestions_for(school)
    assert note == ""
    assert [s.officer for s in suggestions] == [near, far]
    assert suggestions[0].reason.startswith("same BCU, 0.1 km from base, load 60% → 80%")


def test_school_without_coordinates_uses_the_borough_centre(alloc, near):
    school = SchoolFactory()
    suggestions, note = selectors.suggestions_for(school)
    assert "centre of its borough" in note
    assert suggestions[0].officer == near


def test_weight_rule_override_and_pru(alloc, reference_data):
    pru = SchoolFactory(type_name="Pupil referral unit", phase="not_applicable")
    big = SchoolFactory(number_of_pupils=1500)
    assert selectors.school_weight(pru) == 15
    assert selectors.school_weight(big) == 25
    services.weight_override_set(actor=alloc, school_urn=big.pk, weight=40, reason="Two sites")
    assert selectors.school_weight(big) == 40
    with pytest.raises(DomainError):
        services.weight_override_set(actor=alloc, school_urn=big.pk, weight=40, reason="")


def test_capacity_cannot_drop_below_load(alloc, school, near):
    services.assignment_create(actor=alloc, school_urn=school.pk, officer_id=near.pk)
    with pytest.raises(DomainError, match="below Near Officer's current load"):
        services.officer_update(actor=alloc, officer_id=near.pk, capacity=10)
    assert services.officer_update(actor=alloc, officer_id=near.pk, capacity=10, reason="Light duties").capacity == 10


def test_plan_apply_is_all_or_nothing(alloc, school, near, reference_data):
    other = SchoolFactory(latitude=51.55, longitude=-0.06)
    north = OfficerFactory(bcu=bcu("north"))
    with pytest.raises(Conflict, match="Nothing was applied"):
        services.plan_apply(actor=alloc, bcu_id=near.bcu_id, pairs=[(school.pk, near.pk), (other.pk, north.pk)])
    assert not Assignment.objects.exists()
    made = services.plan_apply(actor=alloc, bcu_id=near.bcu_id, pairs=[(school.pk, near.pk), (other.pk, near.pk)])
    assert len(made) == 2


def test_a_schools_weight_says_which_rule_gave_it_in_words():
    """The school page read "rule: primary, 0+ pupils: weight 1" for a school of 434 pupils."""
    from officers.models import SchoolWeightRule

    SchoolWeightRule.objects.all().delete()
    SchoolWeightRule.objects.create(phase="", min_pupils=0, weight=1)
    SchoolWeightRule.objects.create(phase="primary", min_pupils=0, weight=1)
    SchoolWeightRule.objects.create(phase="secondary", min_pupils=1000, weight=3)
    primary = SchoolFactory(phase="primary", number_of_pupils=434)
    large = SchoolFactory(phase="secondary", number_of_pupils=1200)
    nursery = SchoolFactory(phase="nursery", number_of_pupils=40)
    book = selectors.WeightBook(urns=[primary.pk, large.pk, nursery.pk])
    assert book.weight(primary) == (1, "the rule for primary schools of any size: weight 1")
    assert book.weight(large) == (3, "the rule for secondary schools with 1,000 or more pupils: weight 3")
    assert book.weight(nursery) == (1, "the rule for schools of any phase and size: weight 1")
