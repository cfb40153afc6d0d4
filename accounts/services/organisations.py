"""Organisations register themselves; a programme admin verifies or declines them."""

from functools import partial

from django.db import transaction

from core.errors import DomainError
from core.services import audit_record
from core.workflow import transition
from schools.models import LocalAuthority

from ..models import Organisation, OrganisationMembership, ProgrammeRole, User
from ..permissions import can_register_organisation, can_verify_organisation
from . import notifications
from ._common import now_or, reason_required, require


def _move(organisation: Organisation, *, to: str, actor: User, now, reason: str = "") -> None:
    """An organisation's verification or refusal (core.workflow), with who decided and when."""
    transition(
        organisation,
        to=to,
        actor=actor,
        verb=f"organisation.{to}",
        refused=f"This organisation has already been {organisation.get_status_display().lower()}",
        changes={"decline_reason": reason, "verified_by": actor, "verified_at": now},
        update_fields=(),
        reason=reason,
    )


def _admin_emails() -> list[str]:
    return list(
        ProgrammeRole.objects.current()
        .filter(kind=ProgrammeRole.Kind.PROGRAMME_ADMIN, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


@transaction.atomic
def organisation_register(
    *,
    user: User,
    name: str,
    type: str,  # noqa: A002 - the field is called type in docs/roles.md
    borough: LocalAuthority,
    website: str = "",
    description: str = "",
    now=None,
) -> Organisation:
    """Any signed-in person registers their community, faith or youth organisation; it waits for verification."""
    require(can_register_organisation(user))
    now = now_or(now)
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter the organisation's name", field="name")
    if type not in Organisation.Type.values:
        raise DomainError("Choose the type of organisation", field="type")
    if borough is None or not borough.is_london:
        raise DomainError("Choose a London borough", field="borough")
    organisation = Organisation.objects.create(
        name=name[:200],
        type=type,
        borough=borough,
        website=website or "",
        description=(description or "").strip(),
        registered_by=user,
        created_at=now,
    )
    membership = OrganisationMembership.objects.create(
        user=user, organisation=organisation, granted_by=user, granted_at=now
    )
    audit_record(actor=user, verb="organisation.registered", target=organisation, to_state="pending")
    audit_record(actor=user, verb="organisation_membership.granted", target=membership, to_state="current")
    transaction.on_commit(partial(notifications.organisation_registered_email, to=_admin_emails()))
    return organisation


def _registrant_email(organisation: Organisation, *, verified: bool):
    if organisation.registered_by_id and organisation.registered_by.is_active:
        return partial(
            notifications.organisation_decided_email,
            email=organisation.registered_by.email,
            name=organisation.registered_by.get_full_name(),
            verified=verified,
        )
    return None


@transaction.atomic
def organisation_verify(*, actor: User, organisation_id: int, now=None) -> Organisation:
    """A programme admin verifies an organisation: its members see restricted toolkit items."""
    require(can_verify_organisation(actor))
    now = now_or(now)
    organisation = (
        Organisation.objects.select_for_update(of=("self",)).select_related("registered_by").get(pk=organisation_id)
    )
    _move(organisation, to=Organisation.Status.VERIFIED, actor=actor, now=now)
    if callback := _registrant_email(organisation, verified=True):
        transaction.on_commit(callback)
    return organisation


@transaction.atomic
def organisation_decline(*, actor: User, organisation_id: int, reason: str, now=None) -> Organisation:
    """A programme admin declines an organisation with a reason its registrant can read."""
    require(can_verify_organisation(actor))
    now = now_or(now)
    reason = reason_required(reason, what="Give a reason for declining the organisation")
    organisation = (
        Organisation.objects.select_for_update(of=("self",)).select_related("registered_by").get(pk=organisation_id)
    )
    _move(organisation, to=Organisation.Status.DECLINED, actor=actor, now=now, reason=reason)
    if callback := _registrant_email(organisation, verified=False):
        transaction.on_commit(callback)
    return organisation
