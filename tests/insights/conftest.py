from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import ProgrammeRole
from education_toolkit.models import Download
from stepping_stones.models import Cohort, ParticipatingSchool
from tests.accounts.factories import ProgrammeRoleFactory, SchoolFactory, UserFactory, programme_admin, with_two_factor
from tests.education_toolkit.factories import ResourceFactory, with_file
from tests.officers.factories import allocator


@pytest.fixture(autouse=True)
def reference_data(db):
    """The 33 boroughs and 12 BCUs (transactional tests flush what the data migration loaded)."""
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if LocalAuthority.objects.count() < 33:
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def admin():
    return with_two_factor(programme_admin(full_name="Pat Admin"))


def vru(kind: str):
    return with_two_factor(ProgrammeRoleFactory(user=UserFactory(), kind=kind).user)


@pytest.fixture
def coordinator():
    return vru(ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR)


@pytest.fixture
def central_east_allocator():
    return allocator("central-east")


@pytest.fixture
def cohort():
    return Cohort.objects.create(transition_year=2026, ends_on=date(2027, 7, 31))


def places(cohort, school, *, places=60, taken=0):
    return ParticipatingSchool.objects.create(cohort=cohort, school=school, places=places, places_taken=taken)


@pytest.fixture
def resource_version():
    resource = ResourceFactory()
    return resource, with_file(resource).current_version


def download(resource_version, *, borough=None, user=None, days_ago=0):
    resource, version = resource_version
    row = Download.objects.create(
        resource=resource,
        version=version,
        user=user,
        organisation_type=Download.OrganisationType.SCHOOL,
        borough=borough,
    )
    if days_ago:
        Download.objects.filter(pk=row.pk).update(downloaded_at=timezone.now() - timedelta(days=days_ago))
    return row


def school_in(code: int, **kwargs):
    from schools.models import LocalAuthority

    return SchoolFactory(local_authority=LocalAuthority.objects.get(code=code), **kwargs)
