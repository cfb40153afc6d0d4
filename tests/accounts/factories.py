"""Factories for users, schools and every role record. Values that must differ per object use Sequence/LazyFunction."""

import hashlib
import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import (
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)
from schools.models import BasicCommandUnit, LocalAuthority, School

TEST_PASSWORD = "a-long-test-password"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def london_authority(code: int = 204) -> LocalAuthority:
    """One of the 33 authorities the schools data migration loads (204 = Hackney, in Central East BCU)."""
    return LocalAuthority.objects.get(code=code)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: 140000 + n)
    name = factory.Sequence(lambda n: f"Test Academy {n}")
    local_authority = factory.LazyFunction(london_authority)
    type_name = "Academy converter"
    phase = School.Phase.SECONDARY
    status = School.Status.OPEN

    class Params:
        closed = factory.Trait(status=School.Status.CLOSED)
        primary = factory.Trait(phase=School.Phase.PRIMARY, type_name="Community school")


class SchoolMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolMembership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = SchoolMembership.Role.STAFF
    granted_at = factory.LazyFunction(timezone.now)

    class Params:
        headteacher = factory.Trait(role=SchoolMembership.Role.HEADTEACHER)
        ended = factory.Trait(ended_at=factory.LazyFunction(timezone.now), end_reason="Left the school")


class SchoolDutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolDuty

    membership = factory.SubFactory(SchoolMembershipFactory)
    duty = SchoolDuty.Duty.WAND_REQUESTS
    granted_at = factory.LazyFunction(timezone.now)

    class Params:
        stepping_stones_lead = factory.Trait(duty=SchoolDuty.Duty.STEPPING_STONES_LEAD)


class PoliceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceRole
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = PoliceRole.Kind.OFFICER
    granted_at = factory.LazyFunction(timezone.now)

    class Params:
        allocator = factory.Trait(kind=PoliceRole.Kind.ALLOCATOR)
        all_london_allocator = factory.Trait(kind=PoliceRole.Kind.ALLOCATOR, all_london=True)

    @factory.post_generation
    def bcus(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.bcus.set(extracted)


def bcu(slug: str = "central-east") -> BasicCommandUnit:
    return BasicCommandUnit.objects.get(slug=slug)


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    user = factory.SubFactory(UserFactory)
    kind = ProgrammeRole.Kind.PROGRAMME_ADMIN
    granted_at = factory.LazyFunction(timezone.now)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Youth Club {n}")
    type = Organisation.Type.YOUTH
    borough = factory.LazyFunction(london_authority)
    status = Organisation.Status.PENDING
    registered_by = factory.SubFactory(UserFactory)

    class Params:
        verified = factory.Trait(status=Organisation.Status.VERIFIED, verified_at=factory.LazyFunction(timezone.now))
        declined = factory.Trait(status=Organisation.Status.DECLINED, decline_reason="Not a London organisation")


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory, verified=True)
    granted_at = factory.LazyFunction(timezone.now)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationFactory(factory.django.DjangoModelFactory):
    """`InvitationFactory(token="...")` stores the hash of that token, so a test can follow the link."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: _token_hash(o.token))
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    school = factory.SubFactory(SchoolFactory)
    role = Invitation.Role.HEADTEACHER
    invited_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=Invitation.VALID_FOR_DAYS))

    class Params:
        staff = factory.Trait(role=Invitation.Role.STAFF)
        expired = factory.Trait(created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=8)))
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))


class OrganisationInvitationFactory(factory.django.DjangoModelFactory):
    """`OrganisationInvitationFactory(token="...")` stores the hash of that token, so a test can follow the link."""

    class Meta:
        model = OrganisationInvitation
        exclude = ("token",)

    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: _token_hash(o.token))
    email = factory.Sequence(lambda n: f"org-invitee{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory, verified=True)
    invited_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=OrganisationInvitation.VALID_FOR_DAYS))

    class Params:
        expired = factory.Trait(created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=8)))


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    message = "Head of year 7"
    created_at = factory.LazyFunction(timezone.now)

    class Params:
        approved = factory.Trait(status=JoinRequest.Status.APPROVED, decided_at=factory.LazyFunction(timezone.now))
        declined = factory.Trait(
            status=JoinRequest.Status.DECLINED, reason="Not on our staff", decided_at=factory.LazyFunction(timezone.now)
        )


def headteacher_of(school=None, **user_kwargs) -> User:
    membership = SchoolMembershipFactory(
        school=school or SchoolFactory(), user=UserFactory(**user_kwargs), headteacher=True
    )
    return membership.user


def programme_admin(**user_kwargs) -> User:
    return ProgrammeRoleFactory(user=UserFactory(**user_kwargs), kind=ProgrammeRole.Kind.PROGRAMME_ADMIN).user


def with_two_factor(user: User) -> User:
    """Set up TOTP, as roles that require two-factor sign-in need before they reach any page."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user
