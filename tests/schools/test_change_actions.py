"""SchoolChange.ACTIONS: a waiting change is applied or dismissed, an applied one undone; only by reviewers."""

import pytest
from django.utils import timezone

from core.workflow import open_actions
from schools.models import SchoolChange
from tests.accounts.factories import SchoolFactory, UserFactory, programme_admin

pytestmark = pytest.mark.django_db

S = SchoolChange.Status
OPEN_TO_REVIEWERS = {
    S.PENDING: {"apply", "dismiss"},
    S.APPLIED: {"undo"},
    S.DISMISSED: set(),
    S.UNDONE: set(),
}


@pytest.mark.parametrize("status", list(OPEN_TO_REVIEWERS))
def test_each_status_opens_its_actions_to_reviewers_only(status):
    change = SchoolChange.objects.create(
        kind=SchoolChange.Kind.CLOSURE,
        school=SchoolFactory(),
        found_at=timezone.now(),
        status=status,
        reason="Duplicate",
    )
    assert set(open_actions(change, programme_admin())) == OPEN_TO_REVIEWERS[status]
    assert open_actions(change, UserFactory()) == {}


def test_the_table_covers_every_status_and_action():
    assert set(OPEN_TO_REVIEWERS) == set(S.values)
    assert set().union(*OPEN_TO_REVIEWERS.values()) == set(SchoolChange.ACTIONS)
