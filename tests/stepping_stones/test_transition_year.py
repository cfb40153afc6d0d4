"""The current transition year is right all year: September to December, next calendar year's; January to August,
this year's. The current-cohort selector and the demo data follow it."""

from datetime import date

import pytest

from stepping_stones import selectors
from stepping_stones.models import current_transition_year

from .factories import CohortFactory


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 12, 6), 2027),  # the example: December 2026 is the cohort starting Year 7 in Sept 2027
        (date(2026, 9, 1), 2027),
        (date(2026, 8, 31), 2026),
        (date(2027, 1, 1), 2027),
        (date(2027, 7, 20), 2027),
    ],
)
def test_current_transition_year(today, year):
    assert current_transition_year(today) == year


@pytest.mark.django_db
def test_the_current_cohort_follows_the_date_not_the_latest_open_one():
    CohortFactory(transition_year=2026, status="running")
    this_one = CohortFactory(transition_year=2027)
    CohortFactory(transition_year=2028)  # set up early for next year: open, but not current yet
    assert selectors.cohort_current(date(2026, 12, 6)) == this_one
    assert selectors.cohort_current(date(2027, 3, 1)) == this_one
    assert selectors.cohort_current(date(2027, 9, 2)).transition_year == 2028


@pytest.mark.django_db
def test_without_a_cohort_for_the_year_the_latest_earlier_one_is_current():
    earlier = CohortFactory(transition_year=2026, status="running")
    assert selectors.cohort_current(date(2026, 12, 6)) == earlier
