"""Helpers for the security suite: database snapshots (did anything change?), users in another scope, and the
URL names that take an object in their path."""

import hashlib
import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

# Tables that change on any signed-in request and hold no programme data.
VOLATILE_TABLES = {"django_session", "usersessions_usersession"}
# Columns stamped by signing in and by the first request of the day (`last_seen_at` feeds the inactivity review).
VOLATILE_COLUMNS = {"last_login", "last_seen_at"}


def database_snapshot() -> dict[str, str]:
    """A digest of every row of every table (the test database is small): compare two to prove nothing was written."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in VOLATILE_TABLES or model._meta.proxy or not model._meta.managed:
                continue
            columns = [
                f'"{field.column}"'
                for field in model._meta.concrete_fields
                if not (model is get_user_model() and field.column in VOLATILE_COLUMNS)
            ]
            cursor.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1')  # noqa: S608 - model names
            rows = cursor.fetchall()
            digests[table] = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


# Users in another scope than the objects the access-matrix rows build (those sit at their own new schools in Hackney,
# Central East BCU, or at the matrix school): each holds the role at a different school, BCU or organisation.


def other_headteacher():
    from tests.accounts.factories import SchoolFactory, headteacher_of, london_authority, with_two_factor

    return with_two_factor(headteacher_of(SchoolFactory(local_authority=london_authority(306))))


def other_school_lead():
    """Staff at another school holding every duty (Stepping Stones lead and wand requests)."""
    from accounts.models import SchoolDuty
    from tests.accounts.factories import (
        SchoolDutyFactory,
        SchoolFactory,
        SchoolMembershipFactory,
        london_authority,
        with_two_factor,
    )

    membership = SchoolMembershipFactory(school=SchoolFactory(local_authority=london_authority(306)))
    for duty in SchoolDuty.Duty.values:
        SchoolDutyFactory(membership=membership, duty=duty)
    return with_two_factor(membership.user)


def other_bcu_allocator():
    from tests.officers.factories import allocator

    return allocator("south-west")


def other_officer():
    from tests.accounts.factories import bcu
    from tests.officers.factories import OfficerFactory, officer_user

    return officer_user(OfficerFactory(bcu=bcu("south-west")))


def other_organisation_member():
    from django.utils import timezone

    from accounts.models import Organisation
    from tests.accounts.factories import OrganisationFactory, OrganisationMembershipFactory

    organisation = OrganisationFactory(status=Organisation.Status.VERIFIED, verified_at=timezone.now())
    return OrganisationMembershipFactory(organisation=organisation).user


OTHER_SCOPE_USERS = {
    "headteacher of another school": other_headteacher,
    "lead at another school": other_school_lead,
    "allocator in another BCU": other_bcu_allocator,
    "officer in another BCU": other_officer,
    "member of another organisation": other_organisation_member,
}
