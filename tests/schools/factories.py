"""Schools in the register, attached to the London authorities the data migration loads."""

import factory

from schools.counts import register_changed
from schools.models import LocalAuthority, School

HACKNEY = 204


def local_authority(code: int) -> LocalAuthority:
    """One of the migrated London authorities (201-213, 301-320)."""
    return LocalAuthority.objects.get(code=code)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 100000 + n)
    name = factory.Sequence(lambda n: f"Test School {n}")
    local_authority = factory.LazyFunction(lambda: local_authority(HACKNEY))
    type_name = "Community school"
    type_group_name = "Local authority maintained schools"
    phase = School.Phase.PRIMARY
    status = School.Status.OPEN
    statutory_low_age = 4
    statutory_high_age = 11
    number_of_pupils = factory.Sequence(lambda n: 150 + n % 600)
    street = factory.Sequence(lambda n: f"{n} School Road")
    town = "London"
    postcode = "E8 1AA"
    telephone = "020 7946 0000"
    website = factory.Sequence(lambda n: f"www.test-school-{n}.sch.uk")

    class Params:
        primary = factory.Trait(phase=School.Phase.PRIMARY, statutory_low_age=4, statutory_high_age=11)
        secondary = factory.Trait(
            phase=School.Phase.SECONDARY,
            statutory_low_age=11,
            statutory_high_age=18,
            type_name="Academy converter",
            type_group_name="Academies",
        )
        closed = factory.Trait(status=School.Status.CLOSED)
        pupil_referral_unit = factory.Trait(
            type_name="Pupil referral unit",
            type_group_name="Local authority maintained schools",
            phase=School.Phase.NOT_APPLICABLE,
        )
        special = factory.Trait(
            type_name="Community special school", type_group_name="Special schools", phase=School.Phase.NOT_APPLICABLE
        )


def create_schools(count: int, **kwargs) -> list[School]:
    """Many open primary schools in one INSERT, for lists and query counts (factory traits cost ~5 ms a school).

    URNs and names come from SchoolFactory's sequence, so they never clash with schools the factory makes.
    """
    authority = kwargs.pop("local_authority", None) or local_authority(HACKNEY)
    schools = []
    for _ in range(count):
        n = SchoolFactory._meta.next_sequence()
        fields = {
            "urn": 100000 + n,
            "name": f"Test School {n}",
            "local_authority": authority,
            "type_name": "Community school",
            "type_group_name": "Local authority maintained schools",
            "phase": School.Phase.PRIMARY,
            "status": School.Status.OPEN,
            "statutory_low_age": 4,
            "statutory_high_age": 11,
            "number_of_pupils": 150 + n % 600,
            "street": f"{n} School Road",
            "town": "London",
            "postcode": "E8 1AA",
        }
        schools.append(School(**{**fields, **kwargs}))
    created = School.objects.bulk_create(schools)
    register_changed()  # bulk writes send no signals: as the GIAS import does (schools/counts.py)
    return created
