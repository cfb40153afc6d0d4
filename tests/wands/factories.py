"""Factories for the wands programme. Workflow states are Traits; they set fields only (no stock ledger), so tests
that care about stock drive requests through the services instead."""

import factory
from django.utils import timezone

from accounts.models import ProgrammeRole
from tests.accounts.factories import ProgrammeRoleFactory, SchoolDutyFactory, SchoolFactory, UserFactory
from wands.models import WandIssue, WandRequest


class WandRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WandRequest

    school = factory.SubFactory(SchoolFactory)
    quantity = 2
    contact_name = factory.Sequence(lambda n: f"Site manager {n}")
    contact_phone = "020 7946 0000"
    delivery_address = "1 School Lane\nLondon"
    delivery_postcode = "E8 1AA"
    policy_confirmed = True
    requested_by = factory.SubFactory(UserFactory)

    class Params:
        approved = factory.Trait(
            status=WandRequest.Status.APPROVED,
            decided_at=factory.LazyFunction(timezone.now),
            reserved_at=factory.LazyFunction(timezone.now),
        )
        waiting = factory.Trait(
            status=WandRequest.Status.WAITING_FOR_STOCK, decided_at=factory.LazyFunction(timezone.now)
        )
        rejected = factory.Trait(
            status=WandRequest.Status.REJECTED,
            decision_reason="You already have wands from another scheme",
            decided_at=factory.LazyFunction(timezone.now),
        )
        cancelled = factory.Trait(status=WandRequest.Status.CANCELLED)
        dispatched = factory.Trait(
            status=WandRequest.Status.DISPATCHED,
            courier="Parcelforce",
            tracking_reference=factory.Sequence(lambda n: f"PF{n:08d}"),
            dispatched_at=factory.LazyFunction(timezone.now),
        )
        delivered = factory.Trait(
            status=WandRequest.Status.DELIVERED,
            courier="Parcelforce",
            tracking_reference=factory.Sequence(lambda n: f"PF{n:08d}"),
            dispatched_at=factory.LazyFunction(timezone.now),
            delivered_at=factory.LazyFunction(timezone.now),
        )


class WandIssueFactory(factory.django.DjangoModelFactory):
    """Faulty wands reported on a delivered request, with a replacement. Fields only: no stock ledger."""

    class Meta:
        model = WandIssue

    wand_request = factory.SubFactory(WandRequestFactory, delivered=True)
    kind = WandIssue.Kind.FAULTY
    outcome = WandIssue.Outcome.REPLACEMENT
    quantity = 1
    details = "The wand does not beep"
    status = factory.LazyAttribute(lambda issue: WandIssue.first_status(issue.outcome))
    replacement = factory.SubFactory(
        WandRequestFactory,
        school=factory.SelfAttribute("..wand_request.school"),
        replaces=factory.SelfAttribute("..wand_request"),
        quantity=factory.SelfAttribute("..quantity"),
    )
    reported_by = factory.SelfAttribute("wand_request.requested_by")

    class Params:
        pickup_arranged = factory.Trait(
            pickup=WandIssue.Pickup.ARRANGED,
            pickup_arranged_at=factory.LazyFunction(timezone.now),
            replacement=factory.SubFactory(
                WandRequestFactory,
                dispatched=True,
                school=factory.SelfAttribute("..wand_request.school"),
                replaces=factory.SelfAttribute("..wand_request"),
                quantity=factory.SelfAttribute("..quantity"),
            ),
        )


def fulfilment_staff(**user_kwargs):
    return ProgrammeRoleFactory(user=UserFactory(**user_kwargs), kind=ProgrammeRole.Kind.FULFILMENT_STAFF).user


def staff_with_wand_duty(school, **user_kwargs):
    return SchoolDutyFactory(membership__school=school, membership__user=UserFactory(**user_kwargs)).membership.user
