"""A school that asked for a different officer is not offered the officer it asked to change (walking the queue as an
allocator, the current officer came top: 'same BCU, 0.1 km, load 98% → 98%')."""

import pytest

from officers import selectors
from officers.models import OfficerRequest

from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _ask(school, kind):
    return OfficerRequest.objects.create(school=school, kind=kind, reason="Our officer has moved to nights")


def test_the_officer_a_school_asked_to_change_is_not_suggested(school, near, far):
    AssignmentFactory(school=school, officer=near)
    before, _ = selectors.suggestions_for(school)
    assert before[0].officer == near  # the nearest, while nobody asked for a change
    _ask(school, OfficerRequest.Kind.CHANGE)
    after, _ = selectors.suggestions_for(school)
    assert [s.officer for s in after] == [far]


def test_asking_for_a_named_officer_changes_nothing(school, near, far):
    AssignmentFactory(school=school, officer=near)
    _ask(school, OfficerRequest.Kind.NEW)
    suggestions, _ = selectors.suggestions_for(school)
    assert suggestions[0].officer == near


def test_when_the_only_officer_is_the_one_to_change_the_note_says_no_other(school, near):
    AssignmentFactory(school=school, officer=near)
    _ask(school, OfficerRequest.Kind.CHANGE)
    suggestions, note = selectors.suggestions_for(school)
    assert suggestions == [] and note == "No other active officer serves this school's BCU."
