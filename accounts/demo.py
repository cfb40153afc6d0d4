"""Demo users: one per role, password `demo-password-2026`, two-factor set up with a fixed TOTP secret where required.

Only loaded when DEBUG is on. Attached to real demo schools picked deterministically from the demo register (the first
open secondary in Hackney by URN). The table is in docs/demo-users.md. Safe to re-run.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from schools.models import BasicCommandUnit, LocalAuthority, School

from . import roles
from .models import (
    JoinRequest,
    Organisation,
    OrganisationMembership,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)

ORDER = 20
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo credential, DEBUG only
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - documented demo secret, DEBUG only
DEMO_DOMAIN = "demo.schools-safety.london"
HACKNEY = 204

# email local part, full name, role
DEMO_USERS = [
    ("programme-admin", "Pat Admin", roles.PROGRAMME_ADMIN),
    ("headteacher", "Hana Head", roles.HEADTEACHER),
    ("school-staff", "Sam Staff", roles.SCHOOL_STAFF),
    ("stepping-stones-lead", "Lee Lead", roles.STEPPING_STONES_LEAD),
    ("police-allocator", "Alex Allocator", roles.POLICE_ALLOCATOR),
    ("police-officer", "Olu Officer", roles.POLICE_OFFICER),
    ("stepping-stones-coordinator", "Cara Coordinator", roles.STEPPING_STONES_COORDINATOR),
    ("toolkit-editor", "Eddie Editor", roles.TOOLKIT_EDITOR),
    ("fulfilment-staff", "Fran Fulfilment", roles.FULFILMENT_STAFF),
    ("organisation-member", "Omar Organiser", roles.ORGANISATION_MEMBER),
    ("no-role", "Nia Newcomer", roles.SIGNED_IN),
]


# A second Stepping Stones lead, at a feeder primary (the one above is at the secondary).
PRIMARY_LEAD = ("primary-stepping-stones-lead", "Priya Primary")


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_school() -> School | None:
    """The first open secondary school in Hackney, by URN."""
    return (
        School.objects.filter(local_authority_id=HACKNEY, phase=School.Phase.SECONDARY, status__in=School.OPEN_STATUSES)
        .order_by("urn")
        .first()
    )


def demo_primary_school() -> School | None:
    """The first open primary school in Hackney, by URN, that teaches Year 6 (not an infant school: its Stepping Stones
    lead refers Year 6 pupils) and is not waiting to close (a closure or succession in the register's review list): a
    feeder of the demo secondary in the Stepping Stones demo."""
    from schools.models import SchoolChange

    return (
        School.objects.filter(local_authority_id=HACKNEY, phase=School.Phase.PRIMARY, status__in=School.OPEN_STATUSES)
        .exclude(School.LEAVES_OUT_YEAR_6)
        .exclude(changes__status=SchoolChange.Status.PENDING)
        .order_by("urn")
        .first()
    )


def _user(local: str, full_name: str, *, two_factor: bool) -> User:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    email = demo_email(local)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if two_factor and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _membership(user: User, school: School, role: str, *, granted_by: User | None) -> SchoolMembership:
    membership = SchoolMembership.objects.current().filter(user=user, school=school).first()
    return membership or SchoolMembership.objects.create(user=user, school=school, role=role, granted_by=granted_by)


def _duty(membership: SchoolMembership, duty: str, *, granted_by: User) -> None:
    if not membership.duties.current().filter(duty=duty).exists():
        SchoolDuty.objects.create(membership=membership, duty=duty, granted_by=granted_by)


@transaction.atomic
def seed(*, stdout, options) -> None:
    if not settings.DEBUG:
        stdout.write("  demo users skipped: they are only created when DEBUG is on")
        return
    school = demo_school()
    if school is None:
        stdout.write("  demo users skipped: no open secondary school in Hackney (load the demo schools first)")
        return
    users = {role: _user(local, name, two_factor=role in roles.MFA_REQUIRED_ROLES) for local, name, role in DEMO_USERS}
    admin = users[roles.PROGRAMME_ADMIN]
    if not ProgrammeRole.objects.current().filter(user=admin, kind=roles.PROGRAMME_ADMIN).exists():
        ProgrammeRole.objects.create(user=admin, kind=roles.PROGRAMME_ADMIN)
    for role in (roles.STEPPING_STONES_COORDINATOR, roles.TOOLKIT_EDITOR, roles.FULFILMENT_STAFF):
        if not ProgrammeRole.objects.current().filter(user=users[role], kind=role).exists():
            ProgrammeRole.objects.create(user=users[role], kind=role, granted_by=admin)

    head = users[roles.HEADTEACHER]
    _membership(head, school, SchoolMembership.Role.HEADTEACHER, granted_by=admin)
    staff = _membership(users[roles.SCHOOL_STAFF], school, SchoolMembership.Role.STAFF, granted_by=head)
    _duty(staff, SchoolDuty.Duty.WAND_REQUESTS, granted_by=head)
    lead = _membership(users[roles.STEPPING_STONES_LEAD], school, SchoolMembership.Role.STAFF, granted_by=head)
    _duty(lead, SchoolDuty.Duty.STEPPING_STONES_LEAD, granted_by=head)

    central_east = BasicCommandUnit.objects.get(slug="central-east")
    for role, kind in ((roles.POLICE_ALLOCATOR, PoliceRole.Kind.ALLOCATOR), (roles.POLICE_OFFICER, "officer")):
        if not PoliceRole.objects.current().filter(user=users[role], kind=kind).exists():
            police_role = PoliceRole.objects.create(user=users[role], kind=kind, granted_by=admin)
            if kind == PoliceRole.Kind.ALLOCATOR:
                police_role.bcus.set([central_east])

    member = users[roles.ORGANISATION_MEMBER]
    organisation, _ = Organisation.objects.get_or_create(
        name="Hackney Faith Forum (demo)",
        defaults={
            "type": Organisation.Type.FAITH,
            "borough": LocalAuthority.objects.get(code=HACKNEY),
            "status": Organisation.Status.VERIFIED,
            "registered_by": member,
            "verified_by": admin,
            "verified_at": timezone.now(),
            "description": "Youth work in Hackney's churches, mosques and synagogues.",
        },
    )
    if not OrganisationMembership.objects.current().filter(user=member, organisation=organisation).exists():
        OrganisationMembership.objects.create(user=member, organisation=organisation, granted_by=member)

    # A primary school's own Stepping Stones lead, so the referral journey can be tried from the demo data.
    primary = demo_primary_school()
    if primary is not None:
        primary_lead = _user(PRIMARY_LEAD[0], PRIMARY_LEAD[1], two_factor=True)
        primary_head = users[roles.HEADTEACHER] if primary == school else admin
        membership = _membership(primary_lead, primary, SchoolMembership.Role.STAFF, granted_by=primary_head)
        _duty(membership, SchoolDuty.Duty.STEPPING_STONES_LEAD, granted_by=primary_head)
        users["primary_lead"] = primary_lead

    # Something to decide: the newcomer has asked to join the demo school.
    newcomer = users[roles.SIGNED_IN]
    if not JoinRequest.objects.filter(user=newcomer, school=school).exists():
        JoinRequest.objects.create(user=newcomer, school=school, message="Head of year 7")
    stdout.write(
        f"  {len(users)} demo users at {school.name} ({school.urn}); password {DEMO_PASSWORD}, "
        f"TOTP secret {DEMO_TOTP_SECRET} (see docs/demo-users.md)"
    )
