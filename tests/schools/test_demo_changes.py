"""The demo data includes a few conversions waiting for review, through the real refresh; re-running adds none."""

import io

import pytest

from schools import demo
from schools.models import School, SchoolChange

pytestmark = pytest.mark.django_db


def test_demo_has_conversions_waiting_for_review():
    demo.seed(stdout=io.StringIO(), options={"schools": 400})
    pending = SchoolChange.objects.filter(status=SchoolChange.Status.PENDING, kind=SchoolChange.Kind.SUCCESSION)
    assert pending.count() == 4  # two conversions and an amalgamation of two primaries
    assert pending.values("successor_id").distinct().count() == 3
    assert all(change.school.status == School.Status.OPEN for change in pending)  # waiting, not applied
    demo.seed(stdout=io.StringIO(), options={"schools": 400})
    assert SchoolChange.objects.count() == 4
