"""Who the access matrix signs in as, and the rows of the accounts app's URLs.

Each role builder makes a user holding exactly that role, at a school, BCU or organisation made for it, with a TOTP
authenticator where docs/roles.md wants two-factor sign-in. The headteacher and staff builders use the "matrix school"
(URN 199001); rows about a school's people point at that school, so its headteacher gets 200 and everyone else 404.
"""

import secrets

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.identity.access_rows import ROWS as IDENTITY_ROWS
from core.access import AccessRow

from . import roles

MATRIX_SCHOOL_URN = 199001
PASSWORD = "a-long-test-password"  # noqa: S105


def _user(label: str):
    return get_user_model().objects.create_user(
        email=f"{label}-{secrets.token_hex(4)}@example.org", password=PASSWORD, full_name=label.replace("_", " ")
    )


def _with_two_factor(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def matrix_school():
    from schools.models import LocalAuthority, School

    school, _ = School.objects.get_or_create(
        urn=MATRIX_SCHOOL_URN,
        defaults={
            "name": "Access Matrix Academy",
            "local_authority": LocalAuthority.objects.get(code=204),
            "type_name": "Academy converter",
            "phase": School.Phase.SECONDARY,
            "status": School.Status.OPEN,
        },
    )
    return school


def _membership(role: str, *, duty: str | None = None):
    from accounts.models import SchoolDuty, SchoolMembership

    user = _user(duty or role)
    membership = SchoolMembership.objects.create(user=user, school=matrix_school(), role=role)
    if duty:
        SchoolDuty.objects.create(membership=membership, duty=duty)
    return user


def _headteacher():
    return _with_two_factor(_membership("headteacher"))


def _school_staff():
    return _membership("staff")


def _stepping_stones_lead():
    return _with_two_factor(_membership("staff", duty="stepping_stones_lead"))


def _police(kind: str):
    from accounts.models import PoliceRole
    from schools.models import BasicCommandUnit

    user = _user(f"police_{kind}")
    role = PoliceRole.objects.create(user=user, kind=kind)
    if kind == PoliceRole.Kind.ALLOCATOR:
        role.bcus.set([BasicCommandUnit.objects.get(slug="central-east")])
    return _with_two_factor(user)


def _programme(kind: str):
    from accounts.models import ProgrammeRole

    user = _user(kind)
    ProgrammeRole.objects.create(user=user, kind=kind)
    return _with_two_factor(user)


def _organisation_member():
    from accounts.models import Organisation, OrganisationMembership
    from schools.models import LocalAuthority

    user = _user("organisation_member")
    organisation = Organisation.objects.create(
        name="Matrix Faith Group",
        type=Organisation.Type.FAITH,
        borough=LocalAuthority.objects.get(code=204),
        status=Organisation.Status.VERIFIED,
        verified_at=timezone.now(),
    )
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    return user


ROLE_BUILDERS = {
    roles.ANONYMOUS: lambda: None,
    roles.SIGNED_IN: lambda: _user("signed_in"),
    roles.HEADTEACHER: _headteacher,
    roles.SCHOOL_STAFF: _school_staff,
    roles.STEPPING_STONES_LEAD: _stepping_stones_lead,
    roles.POLICE_ALLOCATOR: lambda: _police("allocator"),
    roles.POLICE_OFFICER: lambda: _police("officer"),
    roles.PROGRAMME_ADMIN: lambda: _programme("programme_admin"),
    roles.STEPPING_STONES_COORDINATOR: lambda: _programme("stepping_stones_coordinator"),
    roles.TOOLKIT_EDITOR: lambda: _programme("toolkit_editor"),
    roles.FULFILMENT_STAFF: lambda: _programme("fulfilment_staff"),
    roles.ORGANISATION_MEMBER: _organisation_member,
}


# Objects the rows point at --------------------------------------------------------------------------------------------


def _invitation(**extra):
    from datetime import timedelta

    from accounts.models import Invitation
    from accounts.services._common import token_new

    token, hashed = token_new()
    invitation = Invitation.objects.create(
        email=f"invitee-{secrets.token_hex(4)}@example.org",
        school=matrix_school(),
        role=Invitation.Role.HEADTEACHER,
        token_hash=hashed,
        invited_by=_user("inviter"),
        expires_at=timezone.now() + timedelta(days=7),
        **extra,
    )
    return invitation, token


def _invitation_pk():
    return {"pk": _invitation()[0].pk}


def _invitation_token():
    return {"token": _invitation()[1]}


def _staff_membership():
    from accounts.models import SchoolMembership

    membership = SchoolMembership.objects.create(user=_user("member"), school=matrix_school(), role="staff")
    return {"membership_id": membership.pk}


def _join_request():
    from accounts.models import JoinRequest

    return {"pk": JoinRequest.objects.create(user=_user("joiner"), school=matrix_school()).pk}


def _police_role():
    from accounts.models import PoliceRole

    return {"pk": PoliceRole.objects.create(user=_user("officer"), kind="officer").pk}


def _programme_role():
    from accounts.models import ProgrammeRole

    return {"pk": ProgrammeRole.objects.create(user=_user("editor"), kind="toolkit_editor").pk}


def _police_review():
    return {"kind": "police", **_police_role()}


def _organisation():
    from accounts.models import Organisation
    from schools.models import LocalAuthority

    organisation = Organisation.objects.create(
        name="Pending Youth Club",
        type="youth",
        borough=LocalAuthority.objects.get(code=204),
        registered_by=_user("org"),
    )
    return {"pk": organisation.pk}


def _verified_organisation():
    from accounts.models import Organisation
    from schools.models import LocalAuthority

    organisation = Organisation.objects.create(
        name="Verified Youth Club",
        type="youth",
        borough=LocalAuthority.objects.get(code=204),
        registered_by=_user("org"),
        status=Organisation.Status.VERIFIED,
        verified_at=timezone.now(),
    )
    return {"pk": organisation.pk}


def _organisation_invitation_token():
    from datetime import timedelta

    from accounts.models import Organisation, OrganisationInvitation
    from accounts.services._common import token_new

    token, hashed = token_new()
    OrganisationInvitation.objects.create(
        email=f"org-invitee-{secrets.token_hex(4)}@example.org",
        organisation=Organisation.objects.get(pk=_organisation()["pk"]),
        token_hash=hashed,
        invited_by=_user("org_inviter"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {"token": token}


def _matrix_school_urn():
    return {"urn": matrix_school().urn}


SIGN_IN = 302  # anonymous visitors are sent to sign in
ADMIN_ONLY = {"anonymous": SIGN_IN, "default": 403, roles.PROGRAMME_ADMIN: 200}
SIGNED_IN = {"anonymous": SIGN_IN, "default": 200}
SCHOOL_PEOPLE = {"anonymous": SIGN_IN, "default": 404, roles.HEADTEACHER: 200, roles.PROGRAMME_ADMIN: 200}

ROLES_ROWS = [
    AccessRow("accounts:invitations", {**ADMIN_ONLY, roles.HEADTEACHER: 200}),
    AccessRow("accounts:invite_headteacher", ADMIN_ONLY),
    AccessRow("accounts:invitations_expired", ADMIN_ONLY),
    AccessRow("accounts:invite_headteacher_csv", ADMIN_ONLY),
    AccessRow(
        "accounts:invite_headteacher_csv_check",
        {**ADMIN_ONLY, roles.PROGRAMME_ADMIN: 302},
        notes="nothing uploaded yet: back to the upload page",
    ),
    AccessRow(
        "accounts:invitation_sent",
        {"anonymous": SIGN_IN, "default": 404, roles.PROGRAMME_ADMIN: 200, roles.HEADTEACHER: 403},
        kwargs=_invitation_pk,
        notes="the school's headteacher sees it exists but did not send it",
    ),
    AccessRow(
        "accounts:invitation_revoke",
        {"anonymous": SIGN_IN, "default": 404, roles.PROGRAMME_ADMIN: 200, roles.HEADTEACHER: 403},
        kwargs=_invitation_pk,
        notes="headteacher invitations are revoked by programme admins only",
    ),
    AccessRow(
        "accounts:invitation_accept",
        {"default": 200},
        kwargs=_invitation_token,
        notes="the token is the secret; other signed-in people see a 'different email' warning",
    ),
    AccessRow(
        "accounts:invitation_accept_pending",
        {"default": 405},
        kwargs=_invitation_pk,
        notes="POST only: the signed-in invitee accepts an invitation shown on their landing page",
    ),
    AccessRow("accounts:my_schools", SIGNED_IN),
    AccessRow("accounts:school_people", SCHOOL_PEOPLE, kwargs=_matrix_school_urn),
    AccessRow(
        "accounts:staff_invite",
        {**SCHOOL_PEOPLE, roles.PROGRAMME_ADMIN: 403},
        kwargs=_matrix_school_urn,
        notes="programme admins invite headteachers, not staff",
    ),
    AccessRow(
        "accounts:membership_duties",
        {**SCHOOL_PEOPLE, roles.PROGRAMME_ADMIN: 403},
        kwargs=_staff_membership,
        notes="duties are the headteacher's to grant",
    ),
    AccessRow("accounts:membership_end", SCHOOL_PEOPLE, kwargs=_staff_membership),
    AccessRow("accounts:join_request_create", SIGNED_IN),
    AccessRow(
        "accounts:join_request_decide",
        SCHOOL_PEOPLE,
        kwargs=_join_request,
        notes="a programme admin decides only where the school has no headteacher (true when walking as the admin)",
    ),
    AccessRow("accounts:programme_roles", ADMIN_ONLY),
    AccessRow("accounts:police_role_grant", ADMIN_ONLY),
    AccessRow("accounts:programme_role_grant", ADMIN_ONLY),
    AccessRow("accounts:police_role_end", ADMIN_ONLY, kwargs=_police_role),
    AccessRow("accounts:programme_role_end", ADMIN_ONLY, kwargs=_programme_role),
    AccessRow("accounts:schools_without_headteacher", ADMIN_ONLY),
    AccessRow("accounts:access_reviews", {**ADMIN_ONLY, roles.HEADTEACHER: 200}),
    AccessRow(
        "accounts:role_confirm",
        {"anonymous": SIGN_IN, "default": 404, roles.PROGRAMME_ADMIN: 200},
        kwargs=_police_review,
    ),
    AccessRow("accounts:organisations", SIGNED_IN),
    AccessRow("accounts:organisation_register", SIGNED_IN),
    AccessRow(
        "accounts:organisation_detail",
        {"anonymous": SIGN_IN, "default": 404, roles.PROGRAMME_ADMIN: 200},
        kwargs=_organisation,
    ),
    AccessRow(
        "accounts:organisation_invite",
        {"anonymous": SIGN_IN, "default": 404, roles.PROGRAMME_ADMIN: 200},
        kwargs=_verified_organisation,
        notes="its members invite too; the walk's organisation has none of the matrix users as members; only a "
        "verified organisation invites (a pending one is 403 for its members and admins)",
    ),
    AccessRow(
        "accounts:organisation_invitation_accept",
        {"default": 200},
        kwargs=_organisation_invitation_token,
        notes="the token is the secret; other signed-in people see a 'different email' warning",
    ),
    AccessRow(
        "accounts:organisation_invitation_accept_pending",
        {"default": 405},
        kwargs=lambda: {"pk": 1},
        notes="POST only: the signed-in invitee accepts an invitation shown on their landing page",
    ),
]

API_SIGNED_IN = {"anonymous": 401, "default": 200}
POST_ONLY = {"anonymous": 401, "default": 405}
API_ROWS = [
    AccessRow("accounts-api:invitations", API_SIGNED_IN, notes="each sees only the invitations in their scope"),
    AccessRow("accounts-api:invitation_accept", POST_ONLY),
    AccessRow(
        "accounts-api:invitations_expired",
        {"anonymous": 401, "default": 403, roles.PROGRAMME_ADMIN: 200},
        notes="programme admins list and send again expired invitations",
    ),
    AccessRow(
        "accounts-api:invitation_detail",
        {"anonymous": 401, "default": 404, roles.PROGRAMME_ADMIN: 200, roles.HEADTEACHER: 200},
        kwargs=_invitation_pk,
    ),
    AccessRow("accounts-api:invitation_revoke", POST_ONLY, kwargs=_invitation_pk),
    AccessRow("accounts-api:join_requests", API_SIGNED_IN),
    AccessRow(
        "accounts-api:join_request_detail",
        {"anonymous": 401, "default": 404, roles.PROGRAMME_ADMIN: 200, roles.HEADTEACHER: 200},
        kwargs=_join_request,
    ),
    AccessRow("accounts-api:join_request_approve", POST_ONLY, kwargs=_join_request),
    AccessRow("accounts-api:join_request_decline", POST_ONLY, kwargs=_join_request),
    AccessRow("accounts-api:organisations", API_SIGNED_IN),
    AccessRow(
        "accounts-api:organisation_detail",
        {"anonymous": 401, "default": 404, roles.PROGRAMME_ADMIN: 200},
        kwargs=_organisation,
    ),
    AccessRow("accounts-api:organisation_verify", POST_ONLY, kwargs=_organisation),
    AccessRow("accounts-api:organisation_decline", POST_ONLY, kwargs=_organisation),
    AccessRow("accounts-api:organisation_invite", POST_ONLY, kwargs=_organisation),
    AccessRow("accounts-api:organisation_invitation_accept", POST_ONLY),
    AccessRow("accounts-api:role_confirm", POST_ONLY, kwargs=_police_review),
    AccessRow(
        "accounts-api:school_memberships",
        {"anonymous": 401, "default": 404, roles.PROGRAMME_ADMIN: 200, roles.HEADTEACHER: 200},
        kwargs=_matrix_school_urn,
    ),
    AccessRow(
        "accounts-api:membership_duty_grant", POST_ONLY, kwargs=lambda: {"pk": _staff_membership()["membership_id"]}
    ),
    AccessRow(
        "accounts-api:membership_duty_remove", POST_ONLY, kwargs=lambda: {"pk": _staff_membership()["membership_id"]}
    ),
    AccessRow("accounts-api:membership_end", POST_ONLY, kwargs=lambda: {"pk": _staff_membership()["membership_id"]}),
]

ROWS = [*IDENTITY_ROWS, *ROLES_ROWS, *API_ROWS]
