"""Officer factories: shoulder numbers and names differ per object; bases sit in Hackney (Central East BCU)."""

import factory
from django.utils import timezone

from accounts.models import PoliceRole
from officers.models import Assignment, Officer
from tests.accounts.factories import PoliceRoleFactory, bcu, with_two_factor


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    name = factory.Sequence(lambda n: f"Officer {n}")
    shoulder_number = factory.Sequence(lambda n: f"{1000 + n}CE")
    bcu = factory.LazyFunction(bcu)
    base_name = "Stoke Newington police station"
    base_postcode = "N16 8DS"
    base_latitude = 51.5600
    base_longitude = -0.0750
    capacity = 100
    work_email = factory.Sequence(lambda n: f"officer{n}@met.police.example")
    work_phone = "020 7230 1212"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    officer = factory.SubFactory(OfficerFactory)
    school = factory.SubFactory("tests.accounts.factories.SchoolFactory")
    start_date = factory.LazyFunction(timezone.localdate)
    weight = 20


def allocator(*bcu_slugs: str, two_factor: bool = True):
    bcus = [bcu(slug) for slug in (bcu_slugs or ("central-east",))]
    user = PoliceRoleFactory(kind=PoliceRole.Kind.ALLOCATOR, bcus=bcus).user
    return with_two_factor(user) if two_factor else user


def officer_user(officer: Officer | None = None, two_factor: bool = True):
    user = PoliceRoleFactory(kind=PoliceRole.Kind.OFFICER).user
    if officer is not None:
        officer.user = user
        officer.save(update_fields=["user"])
    return with_two_factor(user) if two_factor else user
