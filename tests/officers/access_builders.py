"""The objects the officers access rows point at (officers/access_matrix.py names them as "officers.<builder>").

The allocator role user covers Central East, where the objects are built."""

from tests.accounts.factories import SchoolFactory
from tests.officers.factories import AssignmentFactory, OfficerFactory, allocator


def _school():
    return SchoolFactory(latitude=51.545, longitude=-0.055)


def urn():
    return {"urn": _school().pk}


def assigned_urn():
    return {"urn": AssignmentFactory(school=_school(), officer=OfficerFactory()).school_id}


def officer_pk():
    return {"pk": OfficerFactory().pk}


def run_pk():
    """A finished run of the allocator role user (the matrix signs in as that user for police_allocator)."""
    from accounts.models import PoliceRole
    from officers.models import OptimiserRun

    role = PoliceRole.objects.current().filter(kind=PoliceRole.Kind.ALLOCATOR).select_related("user").first()
    # No allocator yet: a run nobody can see, so every role gets the same 404.
    user = allocator() if role is None else role.user
    run = OptimiserRun.objects.create(created_by=user, status="done", params={"bcu_ids": []}, result={"areas": []})
    return {"pk": run.pk}
