"""Factories for Stepping Stones. Pupils are clearly fictional; UPNs carry valid check letters.

Workflow traits set fields only (no places counter): tests that care about places drive referrals through the services
(`refer()` below does create → consent → submit as the primary's lead).
"""

import itertools
from datetime import date

import factory
from django.utils import timezone

from accounts.models import ProgrammeRole, SchoolDuty
from schools.models import School
from stepping_stones import services
from stepping_stones.models import Cohort, Consent, Need, ParticipatingSchool, Progress, Referral
from stepping_stones.upn import upn_make
from tests.accounts.factories import (
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    UserFactory,
    headteacher_of,
    programme_admin,
    with_two_factor,
)

__all__ = [
    "CohortFactory",
    "ConsentFactory",
    "NeedFactory",
    "ParticipatingSchoolFactory",
    "ReferralFactory",
    "coordinator",
    "headteacher_of",
    "lead_of",
    "primary_school",
    "programme_admin",
    "refer",
    "secondary_school",
    "upn_for",
    "with_two_factor",
    "year6_dob",
]


def upn_for(n: int, *, temporary: bool = False) -> str:
    """A distinct valid UPN for each n (Hackney LA 204); temporary ones end in a letter."""
    serial = f"{n % 100:02d}A" if temporary else f"{n % 1000:03d}"
    return upn_make(f"204{(n // 1000) % 10000:04d}25{serial}")


def year6_dob(transition_year: int = 2026, *, month: int = 3, day: int = 15) -> date:
    """A date of birth in Year 6 for the cohort (born September..August, 12 years before the transition)."""
    return date(transition_year - 11 if month <= 8 else transition_year - 12, month, day)


_primary_numbers = itertools.count(1)


def primary_school(**kwargs) -> School:
    kwargs.setdefault("name", f"Test Primary School {next(_primary_numbers)}")
    return SchoolFactory(phase=School.Phase.PRIMARY, type_name="Community school", **kwargs)


def secondary_school(**kwargs) -> School:
    return SchoolFactory(phase=School.Phase.SECONDARY, **kwargs)


def lead_of(school, **user_kwargs):
    """A member of staff holding the Stepping Stones lead duty at `school`."""
    return SchoolDutyFactory(
        membership__school=school,
        membership__user=UserFactory(**user_kwargs),
        duty=SchoolDuty.Duty.STEPPING_STONES_LEAD,
    ).membership.user


def coordinator(**user_kwargs):
    return ProgrammeRoleFactory(
        user=UserFactory(**user_kwargs), kind=ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR
    ).user


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ("transition_year",)

    transition_year = 2026
    ends_on = factory.LazyAttribute(lambda o: Cohort.default_ends_on(o.transition_year))


class ParticipatingSchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipatingSchool
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    school = factory.LazyFunction(secondary_school)
    places = 60

    @factory.post_generation
    def feeder_primaries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.feeder_primaries.set(extracted)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Need {n}")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft by default; traits set the status fields only."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    referring_school = factory.LazyFunction(primary_school)
    receiving_school = None
    first_name = factory.Sequence(lambda n: f"Testpupil{n}")
    last_name = "Fictional"
    date_of_birth = factory.LazyAttribute(lambda o: year6_dob(o.cohort.transition_year))
    upn = factory.Sequence(lambda n: upn_for(n + 500))
    strengths = "Kind to others; loves football"
    known_by_name = "Ms Example"
    known_by_role = "Year 6 teacher"

    class Params:
        submitted = factory.Trait(status=Referral.Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        waitlisted = factory.Trait(
            status=Referral.Status.WAITLISTED,
            submitted_at=factory.LazyFunction(timezone.now),
            waitlisted_at=factory.LazyFunction(timezone.now),
        )
        accepted = factory.Trait(
            status=Referral.Status.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )
        pending = factory.Trait(
            status=Referral.Status.PENDING_DESTINATION, submitted_at=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def with_progress(obj, create, extracted, **kwargs):
        if create:
            Progress.objects.get_or_create(referral=obj)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    referral = factory.SubFactory(ReferralFactory)
    given_by_name = "Pat Fictional"
    relationship = Consent.Relationship.CARER
    method = Consent.Method.PAPER
    given_on = factory.LazyFunction(timezone.localdate)
    text_version = services.CONSENT_TEXT_VERSIONS[-1]


def refer(
    *,
    actor,
    cohort: Cohort,
    referring_school,
    receiving_school=None,
    n: int = 0,
    submit: bool = True,
    consent: bool = True,
    **fields,
) -> Referral:
    """A referral through the services, as the primary's lead: create, record consent, submit."""
    values = {
        "first_name": f"Testpupil{n}",
        "last_name": "Fictional",
        "date_of_birth": year6_dob(cohort.transition_year),
        "upn": upn_for(n),
        "known_by_name": "Ms Example",
        "known_by_role": "Year 6 teacher",
        "strengths": "Loves drawing",
    }
    values.update(fields)
    referral = services.referral_create(
        actor=actor, cohort=cohort, referring_school=referring_school, receiving_school=receiving_school, **values
    )
    if consent:
        services.consent_record(
            actor=actor,
            referral=referral,
            given_by_name="Pat Fictional",
            relationship="carer",
            method="paper",
            given_on=timezone.localdate(),
            text_version=services.CONSENT_TEXT_VERSIONS[-1],
        )
    if submit:
        referral = services.referral_submit(actor=actor, referral=referral)
    referral.refresh_from_db()
    return referral


def possible_duplicate(cohort=None, *, upn: str | None = None, first_traits=None, second_traits=None):
    """Two referrals with the same UPN from two primaries in one cohort, flagged as the services flag them."""
    from stepping_stones.models import PossibleDuplicate

    cohort = cohort or CohortFactory()
    upn = upn or upn_for(next(_primary_numbers) + 7000)
    first = ReferralFactory(cohort=cohort, upn=upn, **(first_traits or {}))
    second = ReferralFactory(cohort=cohort, upn=upn, **(second_traits or {}))
    return PossibleDuplicate.objects.create(cohort=cohort, first=first, second=second)
