"""Organisation invitations: a member of a community, faith or youth organisation (or a programme admin) invites
someone into it by email; the emailed link is single use, expires, and works only for the address it was sent to."""

from datetime import timedelta
from functools import partial

from django.db import transaction

from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record

from ..models import Organisation, OrganisationInvitation, OrganisationMembership, User
from ..permissions import can_invite_to_organisation
from . import notifications
from ._common import now_or, require, token_hash, token_new
from .invitations import INVITATION_NOT_VALID, _normalise_email


@transaction.atomic
def organisation_invite(
    *, actor: User, organisation_id: int, email: str, now=None
) -> tuple[OrganisationInvitation, str]:
    """A member of the organisation or a programme admin invites a person by email (not into a declined one); the
    link goes only to that address, after commit, and names nothing but the organisation."""
    now = now_or(now)
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    require(can_invite_to_organisation(actor, organisation))
    email = _normalise_email(email)
    if OrganisationMembership.objects.current().filter(organisation=organisation, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {organisation.name}", field="email")
    waiting = OrganisationInvitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True, expires_at__gt=now
    )
    if waiting.exists():
        raise Conflict(f"{email} already has an invitation to {organisation.name} waiting", field="email")
    token, hashed = token_new()
    invitation = OrganisationInvitation.objects.create(
        email=email,
        organisation=organisation,
        token_hash=hashed,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=OrganisationInvitation.VALID_FOR_DAYS),
    )
    audit_record(
        actor=actor,
        verb="organisation_invitation.sent",
        target=invitation,
        to_state="pending",
        data={"organisation_id": organisation.pk},
    )
    transaction.on_commit(
        partial(
            notifications.organisation_invitation_email,
            email=email,
            token=token,
            organisation_name=organisation.name,
            expires_on=f"{invitation.expires_at:%-d %B %Y}",
        )
    )
    return invitation, token


def organisation_invitation_for_token(token: str) -> OrganisationInvitation | None:
    """The invitation a link points at (any state), or None: the token is compared by its hash only."""
    if not token or len(token) > 200:
        return None
    return (
        OrganisationInvitation.objects.select_related("organisation__borough")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def organisation_invitation_accept(*, token: str, user: User, now=None) -> OrganisationMembership:
    """The signed-in person the invitation was sent to accepts it once, before it expires, and joins the
    organisation (someone already a member keeps their membership)."""
    now = now_or(now)
    if not token or len(token) > 200:
        raise DomainError(INVITATION_NOT_VALID)
    invitation = (
        OrganisationInvitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return _accept(invitation, user=user, now=now)


@transaction.atomic
def organisation_invitation_accept_signed_in(*, invitation_id: int, user: User, now=None) -> OrganisationMembership:
    """An organisation invitation shown to the signed-in person it was sent to (their address verified, which is
    what the emailed link proves) is accepted from the page they land on, as by the link."""
    from allauth.account.models import EmailAddress

    now = now_or(now)
    invitation = (
        OrganisationInvitation.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not getattr(user, "is_authenticated", False):
        raise DomainError(INVITATION_NOT_VALID)
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise DomainError(INVITATION_NOT_VALID)
    return _accept(invitation, user=user, now=now)


def _accept(invitation: OrganisationInvitation | None, *, user: User, now) -> OrganisationMembership:
    if invitation is None:
        raise DomainError(INVITATION_NOT_VALID)
    if invitation.accepted_at:
        raise InvalidTransition("This invitation has already been used. Each invitation link works only once.")
    if invitation.expires_at <= now:
        raise InvalidTransition(
            "This invitation has expired (invitations last 7 days). Ask whoever invited you to send a new one."
        )
    if not user.is_authenticated or user.email.lower() != invitation.email.lower():
        raise DomainError(
            "This invitation was sent to a different email address. Sign in with the address the email was sent to."
        )
    organisation = invitation.organisation
    if organisation.status == Organisation.Status.DECLINED:
        raise DomainError(f"{organisation.name} was declined, so this invitation can no longer be accepted.")
    membership = (
        OrganisationMembership.objects.select_for_update()
        .current()
        .filter(user=user, organisation=organisation)
        .first()
    )
    if membership is None:
        membership = OrganisationMembership.objects.create(
            user=user, organisation=organisation, granted_by=invitation.invited_by, granted_at=now
        )
        audit_record(
            actor=user,
            verb="organisation_membership.granted",
            target=membership,
            to_state="current",
            reason="Accepted an invitation",
            data={"organisation_id": organisation.pk, "invitation_id": invitation.pk},
        )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        verb="organisation_invitation.accepted",
        target=invitation,
        from_state="pending",
        to_state="accepted",
    )
    return membership
