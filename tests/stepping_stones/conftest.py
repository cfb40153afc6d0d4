import pytest

from tests.accounts.factories import with_two_factor

from .factories import (
    CohortFactory,
    NeedFactory,
    ParticipatingSchoolFactory,
    coordinator,
    lead_of,
    primary_school,
    refer,
    secondary_school,
)


@pytest.fixture
def cohort(db):
    return CohortFactory(transition_year=2026)


@pytest.fixture
def primary(db):
    return primary_school()


@pytest.fixture
def secondary(db):
    return secondary_school()


@pytest.fixture
def participating(cohort, secondary, primary):
    return ParticipatingSchoolFactory(cohort=cohort, school=secondary, places=3, feeder_primaries=[primary])


@pytest.fixture
def primary_lead(primary):
    return with_two_factor(lead_of(primary))


@pytest.fixture
def secondary_lead(secondary):
    return with_two_factor(lead_of(secondary))


@pytest.fixture
def vru(db):
    return with_two_factor(coordinator())


@pytest.fixture
def need(db):
    return NeedFactory(name="Attendance")


@pytest.fixture
def make_referral(cohort, primary, secondary, participating, primary_lead):
    """Create → consent → submit a referral from the primary to the secondary (n makes the pupil distinct)."""

    def _make(n=0, **kwargs):
        kwargs.setdefault("receiving_school", secondary)
        return refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=n, **kwargs)

    return _make
