"""Organisation invitations: a member of a community, faith or youth organisation (or a programme admin) invites
someone into it by email; the emailed link is single use, expires, and works only for the address it was sent to."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, DomainError, InvalidTransition, LimitReached
from core.services import audit_record

from ..models import Organisation, OrganisationInvitation, OrganisationMembership, User
from ..permissions import can_invite_to_organisation, may_act_for_organisation
from . import notifications
from ._common import now_or, require, token_hash, token_new
from .invitations import INVITATION_NOT_VALID, _normalise_email


class OrganisationNotVerified(DomainError, PermissionDenied):
    """Its members may act for it, but an organisation invites nobody before it is verified (the API answers 403)."""

    status_code = 403
    code = "organisation_not_verified"


def _limit_lifts_at(sent_at: list, limit: int):
    """When the count in the rolling day drops below the limit again: once the oldest invitation that keeps it at the
    limit is a day old."""
    return sent_at[len(sent_at) - limit] + timedelta(days=1)


def _check_invitation_limits(*, actor: User, organisation: Organisation, now) -> None:
    """At most ORGANISATION_INVITATIONS_PER_DAY per organisation and INVITATIONS_PER_SENDER_PER_DAY per sender (across
    organisations) in any 24 hours, counted in the database. The organisation row is already locked; locking the
    sender's row too makes two invitations sent at once by one person count one after the other."""
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    recent = OrganisationInvitation.objects.filter(created_at__gt=now - timedelta(days=1)).order_by("created_at")
    checks = [
        (
            recent.filter(invited_by=actor),
            settings.INVITATIONS_PER_SENDER_PER_DAY,
            "You have sent {count} invitations in the last 24 hours, the most one person may send",
        ),
        (
            recent.filter(organisation=organisation),
            settings.ORGANISATION_INVITATIONS_PER_DAY,
            f"{organisation.name} has sent {{count}} invitations in the last 24 hours, the most an organisation may "
            "send",
        ),
    ]
    for invitations, limit, message in checks:
        sent_at = list(invitations.values_list("created_at", flat=True))
        if len(sent_at) >= limit:
            lifts_at = _limit_lifts_at(sent_at, limit)
            local = timezone.localtime(lifts_at)
            raise LimitReached(
                message.format(count=len(sent_at))
                + f". You can send another after {local:%-I:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")
                + f" on {local:%-d %B}.",
                code="invitation_limit",
                retry_after=max(1, int((lifts_at - now).total_seconds()) + 1),
            )


@transaction.atomic
def organisation_invite(
    *, actor: User, organisation_id: int, email: str, now=None
) -> tuple[OrganisationInvitation, str]:
    """A member of a verified organisation (or a programme admin) invites a person by email, within the daily limits
    per organisation and per sender; the link goes only to that address, after commit, and the subject names nothing
    the sender chose."""
    now = now_or(now)
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if organisation.status == Organisation.Status.PENDING and may_act_for_organisation(actor, organisation):
        raise OrganisationNotVerified(
            f"{organisation.name} cannot send invitations until the programme team has verified it."
        )
    require(can_invite_to_organisation(actor, organisation))
    _check_invitation_limits(actor=actor, organisation=organisation, now=now)
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
        raise DomainError(INVITATION_NOT_VALID, code="not_found")  # not theirs: 404
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise DomainError(INVITATION_NOT_VALID, code="not_found")  # not theirs: 404
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
