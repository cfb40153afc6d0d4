"""Applying successions takes a constant number of queries per kind of record: the same at 1 and at 50 successions.
The review page and API list of changes take the same number of queries at 1 and 50 changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schools.models import School, SchoolChange
from schools.reviews import school_changes_apply
from tests.accounts.factories import SchoolDutyFactory, SchoolFactory, SchoolMembershipFactory, programme_admin
from tests.officers.factories import AssignmentFactory
from tests.stepping_stones.factories import CohortFactory, ParticipatingSchoolFactory, ReferralFactory
from tests.wands.factories import WandRequestFactory

pytestmark = pytest.mark.django_db


def conversions(count: int) -> list[SchoolChange]:
    """`count` old schools with records in every programme, each converting to a new school."""
    cohort = CohortFactory(transition_year=2026)
    changes = []
    for _ in range(count):
        old = SchoolFactory(phase=School.Phase.SECONDARY)
        new = SchoolFactory(phase=School.Phase.SECONDARY)
        SchoolMembershipFactory(school=old, headteacher=True)
        SchoolDutyFactory(membership=SchoolMembershipFactory(school=old))
        WandRequestFactory(school=old, approved=True)
        WandRequestFactory(school=old, delivered=True)
        AssignmentFactory(school=old)
        ParticipatingSchoolFactory(cohort=cohort, school=old, feeder_primaries=[SchoolFactory()])
        ReferralFactory(cohort=cohort, receiving_school=old, submitted=True)
        changes.append(
            SchoolChange.objects.create(
                kind=SchoolChange.Kind.SUCCESSION, school=old, successor=new, found_at=timezone.now()
            )
        )
    return changes


def queries_to_apply(changes, admin) -> tuple[int, int]:
    """(queries other than the audit INSERT, audit INSERT statements): the audit entries of the whole batch go in one
    statement run for every entry (executemany)."""
    with CaptureQueriesContext(connection) as captured:
        applied, skipped = school_changes_apply(actor=admin, change_ids=[c.pk for c in changes])
    assert len(applied) == len(changes) and not skipped
    audit = sum(1 for query in captured.captured_queries if 'INSERT INTO "core_auditevent"' in query["sql"])
    return len(captured) - audit, audit


def test_applying_successions_takes_the_same_queries_at_1_and_50():
    admin = programme_admin()
    queries_to_apply(conversions(1), admin)  # warms the content-type cache the audit entries use
    at_one = queries_to_apply(conversions(1), admin)
    at_fifty = queries_to_apply(conversions(50), admin)
    assert at_fifty[0] == at_one[0]
    assert at_one[0] < 40
    assert at_one[1] == 1
    assert at_fifty[1] == 1


@pytest.mark.parametrize("path", ["/schools/changes/", "/api/v1/school-changes/"])
def test_the_review_list_takes_the_same_queries_at_1_and_50(client, path):
    from tests.accounts.factories import with_two_factor

    admin = with_two_factor(programme_admin())
    client.force_login(admin)
    client.get(path)  # the first request of a session loads what later ones have cached
    counts = []
    for size in (1, 49):
        conversions(size)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
