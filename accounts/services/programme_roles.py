"""Police, VRU and fulfilment roles: granted and ended by programme admins."""

from django.db import transaction

from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record

from ..models import PoliceRole, ProgrammeRole, User
from ..permissions import can_end_role, can_grant_programme_roles
from ._common import end_record, now_or, reason_required, require
from .reviews import OwnAccessRefused


def _not_yourself(actor: User | None, user: User) -> None:
    """Nobody gives themselves a role (a programme admin could otherwise make themselves a Stepping Stones
    coordinator and read pupils' records): another admin must."""
    if actor is not None and actor.pk == user.pk:
        raise OwnAccessRefused("You cannot give yourself a role. Ask another programme admin.", field="email")


def user_for_email(email: str) -> User:
    """Roles go to people who already have an account: they sign up first, then an admin grants the role."""
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise DomainError(
            "No account uses that email address. Ask the person to create an account first.", field="email"
        )
    if not user.is_active:
        raise DomainError("That account has been deactivated", field="email")
    return user


@transaction.atomic
def police_role_grant(*, actor: User, user: User, kind: str, all_london: bool = False, bcus=(), now=None) -> PoliceRole:
    """A programme admin makes someone a police allocator (for some BCUs or all London) or a police officer."""
    require(can_grant_programme_roles(actor))
    _not_yourself(actor, user)
    now = now_or(now)
    if kind not in PoliceRole.Kind.values:
        raise DomainError("Choose a police role", field="kind")
    bcus = list(bcus or [])
    if kind == PoliceRole.Kind.OFFICER:
        all_london, bcus = False, []
    elif not all_london and not bcus:
        raise DomainError("Choose the BCUs this allocator covers, or all London", field="bcus")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if PoliceRole.objects.current().filter(user=user, kind=kind).exists():
        raise Conflict(f"{user.email} is already a {PoliceRole.Kind(kind).label.lower()}", field="email")
    role = PoliceRole.objects.create(user=user, kind=kind, all_london=all_london, granted_by=actor, granted_at=now)
    if bcus and not all_london:
        role.bcus.set(bcus)
    audit_record(
        actor=actor,
        verb="police_role.granted",
        target=role,
        to_state="current",
        data={
            "user_id": user.pk,
            "kind": kind,
            "all_london": all_london,
            "bcus": sorted(bcu.slug for bcu in bcus) if not all_london else [],
        },
    )
    return role


@transaction.atomic
def programme_role_grant(*, actor: User | None, user: User, kind: str, now=None) -> ProgrammeRole:
    """A programme admin makes someone a programme admin, Stepping Stones coordinator, toolkit editor or fulfilment
    staff (actor None: the `grant_programme_admin` command that appoints the first admin)."""
    if actor is not None:
        require(can_grant_programme_roles(actor))
    _not_yourself(actor, user)
    now = now_or(now)
    if kind not in ProgrammeRole.Kind.values:
        raise DomainError("Choose a role", field="kind")
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ProgrammeRole.objects.current().filter(user=user, kind=kind).exists():
        raise Conflict(f"{user.email} is already a {ProgrammeRole.Kind(kind).label.lower()}", field="email")
    role = ProgrammeRole.objects.create(user=user, kind=kind, granted_by=actor, granted_at=now)
    audit_record(
        actor=actor,
        verb="programme_role.granted",
        target=role,
        to_state="current",
        data={"user_id": user.pk, "kind": kind},
    )
    return role


@transaction.atomic
def police_role_end(*, actor: User, role_id: int, reason: str, now=None) -> PoliceRole:
    """End a police role with a reason; the record stays."""
    now = now_or(now)
    role = PoliceRole.objects.select_for_update().get(pk=role_id)
    require(can_end_role(actor, role))
    reason = reason_required(reason, what="Give a reason for ending this role")
    if role.ended_at is not None:
        raise InvalidTransition("This role has already ended")
    end_record(role, actor=actor, reason=reason, verb="police_role.ended", now=now, data={"kind": role.kind})
    return role


@transaction.atomic
def programme_role_end(*, actor: User, role_id: int, reason: str, now=None) -> ProgrammeRole:
    """End a VRU or fulfilment role with a reason; the record stays."""
    now = now_or(now)
    role = ProgrammeRole.objects.select_for_update().get(pk=role_id)
    require(can_end_role(actor, role))
    reason = reason_required(reason, what="Give a reason for ending this role")
    if role.ended_at is not None:
        raise InvalidTransition("This role has already ended")
    end_record(role, actor=actor, reason=reason, verb="programme_role.ended", now=now, data={"kind": role.kind})
    return role
