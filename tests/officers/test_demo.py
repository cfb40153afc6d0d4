"""Demo data: officers for every BCU that has schools, with bases near them and loads within capacity; most schools
covered, some gaps in the queue; safe to re-run."""

import io
import random

import pytest

from officers import demo, selectors
from officers.models import Assignment, Officer
from tests.accounts.factories import SchoolFactory, london_authority

pytestmark = pytest.mark.django_db


def test_officers_for_every_bcu_with_schools_most_covered_some_gaps(reference_data):
    rng = random.Random(3)
    for code in (204, 302):  # Hackney (Central East), Barnet (North West)
        for _ in range(25):
            SchoolFactory(
                local_authority=london_authority(code),
                latitude=51.55 + rng.uniform(-0.03, 0.03) + (0.1 if code == 302 else 0),
                longitude=-0.06 + rng.uniform(-0.05, 0.05) - (0.15 if code == 302 else 0),
                number_of_pupils=rng.choice([200, 400, 900]),
            )
    demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})  # re-running changes nothing
    officers = list(selectors.officers_with_load(Officer.objects.filter(active=True)))
    assert {o.bcu.slug for o in officers} == {"central-east", "north-west"}
    assert all(o.load <= o.capacity for o in officers)
    current = Assignment.objects.filter(end_date__isnull=True).count()
    assert 0.8 * 50 <= current < 50  # most schools covered, some left in the queue
    assert all(a.officer.bcu_id == a.school.local_authority.bcu_id for a in Assignment.objects.all())


def test_demo_history_happens_over_past_weeks(reference_data):
    """Officers joined and were assigned months ago, the gap opened weeks ago, requests came in the last days: the
    officers' timelines and the queue's days waiting read like a school year, not the moment seed_demo ran."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import AuditEvent
    from officers.models import OfficerRequest

    rng = random.Random(3)
    for _ in range(20):
        SchoolFactory(
            local_authority=london_authority(204),
            latitude=51.55 + rng.uniform(-0.03, 0.03),
            longitude=-0.06 + rng.uniform(-0.05, 0.05),
            number_of_pupils=400,
        )
    started = timezone.now()
    demo.seed(stdout=io.StringIO(), options={})
    today = timezone.localdate()
    starts = set(Assignment.objects.values_list("start_date", flat=True))
    assert starts and all(start <= today - timedelta(days=100) for start in starts)
    events = AuditEvent.objects.filter(verb__startswith="officer")
    assert events.exists() and all(e.created_at < started - timedelta(days=100) for e in events)
    assert all(r.created_at < started for r in OfficerRequest.objects.all())
