"""The writes that change what every signed-in page reads about a person (core.user_facts): their account, their role
records and their authenticators. Saves and deletes bump the person's version through signals (connected in
AccountsConfig.ready); bulk writes send none: the querysets of accounts and role records bump in `update` and
`bulk_create` (accounts.models), and raw SQL callers call `core.user_facts` themselves (accounts.school_changes)."""

from allauth.mfa.models import Authenticator
from django.db.models.signals import post_delete, post_save

from core.user_facts import facts_changed, facts_changed_for_everyone

from .models import (
    Organisation,
    OrganisationMembership,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)


def _account_changed(sender, instance, **_kwargs) -> None:
    facts_changed([instance.pk])


def _person_changed(sender, instance, **_kwargs) -> None:
    facts_changed([instance.user_id])


def _duty_changed(sender, instance, **_kwargs) -> None:
    membership = SchoolDuty.membership.field.get_cached_value(instance, default=None)
    if membership is None:
        user_ids = SchoolMembership.objects.filter(pk=instance.membership_id).values_list("user_id", flat=True)
    else:
        user_ids = [membership.user_id]
    facts_changed(user_ids)


def _organisation_changed(sender, instance, created=False, **_kwargs) -> None:
    """Its members' roles follow its status (members of a verified organisation only): rare, so everyone's. A new
    organisation waiting for verification changes nobody's."""
    if created and instance.status != Organisation.Status.VERIFIED:
        return
    facts_changed_for_everyone()


def connect() -> None:
    receivers = [
        (User, _account_changed),
        (SchoolMembership, _person_changed),
        (PoliceRole, _person_changed),
        (ProgrammeRole, _person_changed),
        (OrganisationMembership, _person_changed),
        (Authenticator, _person_changed),
        (SchoolDuty, _duty_changed),
        (Organisation, _organisation_changed),
    ]
    for model, receiver in receivers:
        for signal, kind in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"user-facts:{kind}:{model.__name__}")
