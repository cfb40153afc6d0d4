"""No N+1: each page and API list costs the same number of queries at 3 rows as at 40."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import selectors

from .factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    bcu,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 40


def people(school, n):
    for _ in range(n):
        membership = SchoolMembershipFactory(school=school)
        SchoolDutyFactory(membership=membership)
        SchoolDutyFactory(membership=membership, stepping_stones_lead=True)
        JoinRequestFactory(school=school)
        InvitationFactory(school=school, staff=True)


def invitations(school, n):
    InvitationFactory.create_batch(n)


def police_and_programme_roles(school, n):
    for _ in range(n):
        PoliceRoleFactory(allocator=True, bcus=[bcu("central-east"), bcu("central-north")])
        ProgrammeRoleFactory(kind="toolkit_editor")


def schools_without_head(school, n):
    for _ in range(n):
        SchoolMembershipFactory(school=SchoolFactory())
        JoinRequestFactory(school=SchoolFactory())


def organisations(school, n):
    OrganisationFactory.create_batch(n)


def reviews(school, n):
    for _ in range(n):
        SchoolDutyFactory(membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True)
        PoliceRoleFactory()
        ProgrammeRoleFactory(kind="stepping_stones_coordinator")


CASES = [
    ("head", "accounts:school_people", lambda s: {"urn": s.urn}, people),
    ("admin", "accounts:school_people", lambda s: {"urn": s.urn}, people),
    ("admin", "accounts:invitations", None, invitations),
    ("admin", "accounts:programme_roles", None, police_and_programme_roles),
    ("admin", "accounts:schools_without_headteacher", None, schools_without_head),
    ("admin", "accounts:organisations", None, organisations),
    ("admin", "accounts:access_reviews", None, reviews),
    ("head", "accounts:access_reviews", None, reviews),
    ("head", "accounts-api:school_memberships", lambda s: {"urn": s.urn}, people),
    ("admin", "accounts-api:invitations", None, invitations),
    ("admin", "accounts-api:join_requests", None, people),
    ("admin", "accounts-api:organisations", None, organisations),
]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("who, name, kwargs, make", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_queries_do_not_grow_with_rows(
    client, request, school, head, admin, who, name, kwargs, make, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, kwargs=kwargs(school) if kwargs else None)
    make(school, SMALL)
    small = count_queries(client, url)
    make(school, LARGE - SMALL)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_roles_summary_is_constant(django_assert_max_num_queries):
    from .factories import UserFactory

    user = UserFactory()
    for _ in range(SMALL):
        membership = SchoolMembershipFactory(user=user)
        SchoolDutyFactory(membership=membership)
    PoliceRoleFactory(user=user, allocator=True, bcus=[bcu()])
    with CaptureQueriesContext(connection) as context:
        selectors.user_roles_summary(user)
    for _ in range(LARGE):
        membership = SchoolMembershipFactory(user=user)
        SchoolDutyFactory(membership=membership)
    with django_assert_max_num_queries(len(context.captured_queries)):
        rows = selectors.user_roles_summary(user)
    assert len(rows) == 2 * (SMALL + LARGE) + 1
