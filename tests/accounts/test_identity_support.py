"""Helpers shared by the identity tests (no tests here): users holding each role, TOTP codes, sign-in."""

import time

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value

from accounts import roles
from accounts.identity.services import totp_activate
from accounts.models import ProgrammeRole
from tests.accounts.factories import (
    TEST_PASSWORD,
    OrganisationMembershipFactory,
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolMembershipFactory,
    UserFactory,
)

ROLE_USER_BUILDERS = {
    roles.HEADTEACHER: lambda: SchoolMembershipFactory(headteacher=True).user,
    roles.SCHOOL_STAFF: lambda: SchoolMembershipFactory().user,
    roles.STEPPING_STONES_LEAD: lambda: SchoolDutyFactory(stepping_stones_lead=True).membership.user,
    roles.POLICE_ALLOCATOR: lambda: PoliceRoleFactory(allocator=True).user,
    roles.POLICE_OFFICER: lambda: PoliceRoleFactory().user,
    roles.PROGRAMME_ADMIN: lambda: ProgrammeRoleFactory(kind=ProgrammeRole.Kind.PROGRAMME_ADMIN).user,
    roles.STEPPING_STONES_COORDINATOR: lambda: (
        ProgrammeRoleFactory(kind=ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR).user
    ),
    roles.TOOLKIT_EDITOR: lambda: ProgrammeRoleFactory(kind=ProgrammeRole.Kind.TOOLKIT_EDITOR).user,
    roles.FULFILMENT_STAFF: lambda: ProgrammeRoleFactory(kind=ProgrammeRole.Kind.FULFILMENT_STAFF).user,
    roles.ORGANISATION_MEMBER: lambda: OrganisationMembershipFactory().user,
}


def user_with_role(role: str, *, two_factor: bool = False):
    user = ROLE_USER_BUILDERS[role]()
    if two_factor:
        give_totp(user)
    return user


def give_totp(user) -> str:
    secret = generate_totp_secret()
    totp_activate(user=user, secret=secret)
    return secret


def totp_code(secret: str, offset: int = 0) -> str:
    """The code of the current window (or `offset` windows away), never one about to expire: a code read in the last
    seconds of its window reached the server in the next one."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def verified_user(**kwargs):
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, user, password: str = TEST_PASSWORD):
    """Sign in through allauth's form, as a person does (so the session middleware sees the sign-in)."""
    from django.urls import reverse

    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def programme_admin_with_two_factor():
    return user_with_role(roles.PROGRAMME_ADMIN, two_factor=True)
