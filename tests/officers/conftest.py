import pytest

from tests.accounts.factories import SchoolFactory, headteacher_of, with_two_factor

from .factories import OfficerFactory, allocator


@pytest.fixture
def reference_data():
    """Transactional tests flush what the migrations loaded: put the BCUs and boroughs back."""
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def alloc(reference_data):
    return allocator()


@pytest.fixture
def school(reference_data):
    # Hackney, near the default officer base.
    return SchoolFactory(number_of_pupils=900, latitude=51.545, longitude=-0.055, telephone="020 8000 0000")


@pytest.fixture
def near(reference_data):
    return OfficerFactory(name="Near Officer", base_latitude=51.546, base_longitude=-0.056)


@pytest.fixture
def far(reference_data):
    return OfficerFactory(name="Far Officer", base_latitude=51.60, base_longitude=-0.02)


@pytest.fixture
def head(school):
    return with_two_factor(headteacher_of(school))
