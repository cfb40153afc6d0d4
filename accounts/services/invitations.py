"""Invitations: a programme admin invites headteachers, a headteacher invites staff; the emailed link is single use."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from core.csv_import import Column, CsvRejected, read_csv
from core.errors import Conflict, DomainError, InvalidTransition
from core.services import audit_record
from schools.models import School

from ..models import Invitation, SchoolMembership, User
from ..permissions import can_invite_headteacher, can_invite_staff, can_resend_invitations, can_revoke_invitation
from . import notifications
from ._common import end_record, now_or, require, token_hash, token_new

MAX_CSV_ROWS = 2000
MAX_CSV_BYTES = 1_000_000


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from None
    return email


def _check_invitable(*, school: School, email: str, role: str, now) -> None:
    if not school.is_open:
        raise DomainError(f"{school.name} is closed: invitations are only for open schools", field="school")
    pending = Invitation.objects.filter(
        school=school, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    if pending.exists():
        raise Conflict(
            f"{email} already has an invitation to {school.name} waiting; revoke it to send a new one", field="email"
        )
    member = SchoolMembership.objects.current().filter(school=school, user__email__iexact=email).first()
    if member is not None and (member.role == role or member.role == SchoolMembership.Role.HEADTEACHER):
        raise Conflict(f"{email} is already {member.get_role_display().lower()} at {school.name}", field="email")


def _create(*, actor: User, school: School, email: str, role: str, now) -> tuple[Invitation, str]:
    token, hashed = token_new()
    invitation = Invitation.objects.create(
        email=email,
        school=school,
        role=role,
        token_hash=hashed,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=Invitation.VALID_FOR_DAYS),
    )
    audit_record(
        actor=actor,
        verb="invitation.sent",
        target=invitation,
        to_state="pending",
        data={"school_urn": school.urn, "role": role},
    )
    transaction.on_commit(
        partial(
            notifications.invitation_email,
            email=email,
            token=token,
            school_name=school.name,
            role_label="headteacher" if role == Invitation.Role.HEADTEACHER else "a member of staff",
            expires_on=f"{invitation.expires_at:%-d %B %Y}",
        )
    )
    return invitation, token


@transaction.atomic
def headteacher_invite(*, actor: User, school: School, email: str, now=None) -> tuple[Invitation, str]:
    """A programme admin invites a school's headteacher by email; the link is single use and expires in 7 days."""
    require(can_invite_headteacher(actor))
    now = now_or(now)
    email = _normalise_email(email)
    _check_invitable(school=school, email=email, role=Invitation.Role.HEADTEACHER, now=now)
    return _create(actor=actor, school=school, email=email, role=Invitation.Role.HEADTEACHER, now=now)


@transaction.atomic
def staff_invite(*, actor: User, school: School, email: str, now=None) -> tuple[Invitation, str]:
    """A headteacher invites a member of staff to their own school."""
    require(can_invite_staff(actor, school))
    now = now_or(now)
    email = _normalise_email(email)
    _check_invitable(school=school, email=email, role=Invitation.Role.STAFF, now=now)
    return _create(actor=actor, school=school, email=email, role=Invitation.Role.STAFF, now=now)


@dataclass(frozen=True)
class InvitationRow:
    line: int
    urn: int
    email: str
    school_name: str


def headteacher_invitations_check_csv(*, data: bytes, now=None) -> list[InvitationRow]:
    """Check every row of a `urn,email` CSV before anything is sent; any bad row rejects the whole file (CsvRejected,
    with every bad row's line)."""
    now = now_or(now)
    table = read_csv(
        data,
        columns=[Column("urn", max_length=20), Column.for_field(Invitation, "email")],
        max_bytes=MAX_CSV_BYTES,
        max_rows=MAX_CSV_ROWS,
    )
    parsed = [(row.line, row["urn"], row["email"].lower()) for row in table.rows]
    errors: list[tuple[int, str]] = []

    urns = {int(urn) for _, urn, _ in parsed if _six_digits(urn)}
    schools = School.objects.in_bulk(urns)
    pending = {
        (school_id, email.lower())
        for school_id, email in Invitation.objects.filter(
            school_id__in=urns, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).values_list("school_id", "email")
    }
    seen: dict[tuple[str, str], int] = {}
    rows: list[InvitationRow] = []
    for line, urn_text, email in parsed:
        problems = []
        school = None
        if not _six_digits(urn_text):
            problems.append(f"URN '{urn_text[:20]}' must be 6 digits")
        else:
            school = schools.get(int(urn_text))
            if school is None:
                problems.append(f"URN {urn_text} is not a school in the register")
            elif not school.is_open:
                problems.append(f"URN {urn_text} ({school.name}) is closed")
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"'{email[:60]}' is not a valid email address" if email else "The email address is missing")
        key = (urn_text, email)
        if key in seen:
            problems.append(f"Duplicate of line {seen[key]}")
        else:
            seen[key] = line
        if school is not None and (school.urn, email) in pending:
            problems.append(f"{email} already has an invitation to {school.name} waiting")
        if problems:
            errors.append((line, "; ".join(problems)))
        elif school is not None:
            rows.append(InvitationRow(line=line, urn=school.urn, email=email, school_name=school.name))
    if errors:
        raise CsvRejected.for_rows(errors, action="No invitation was sent")
    return rows


def _six_digits(text: str) -> bool:
    return len(text) == 6 and text.isascii() and text.isdigit()


@transaction.atomic
def headteacher_invitations_send(*, actor: User, rows: list[InvitationRow], now=None) -> list[Invitation]:
    """Send every checked invitation of a file, all or none (rows are checked again inside the transaction)."""
    require(can_invite_headteacher(actor))
    now = now_or(now)
    schools = School.objects.in_bulk({row.urn for row in rows})
    invitations = []
    for row in rows:
        school = schools.get(row.urn)
        if school is None:
            raise DomainError(f"URN {row.urn} is not a school in the register", field="file")
        email = _normalise_email(row.email)
        _check_invitable(school=school, email=email, role=Invitation.Role.HEADTEACHER, now=now)
        invitation, _token = _create(actor=actor, school=school, email=email, role=Invitation.Role.HEADTEACHER, now=now)
        invitations.append(invitation)
    return invitations


MAX_RESEND = 200


class InvitationsNotResent(DomainError):
    """Some selected invitations cannot be sent again: nothing is sent, each problem is listed with its address."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        summary = "; ".join(message for _pk, message in errors[:20])
        super().__init__(f"No invitations were sent. {summary}", field="invitations")


@transaction.atomic
def invitations_resend_expired(*, actor: User, invitation_ids: list[int], now=None) -> list[Invitation]:
    """A programme admin sends again, all or none, invitations that expired with nobody accepting them (for example
    while their recipients could not finish setting up two-factor sign-in). Each gets a new link, valid for 7 days,
    as a new invitation; the expired one records that it was sent again. Audited on both."""
    require(can_resend_invitations(actor))
    now = now_or(now)
    ids = sorted({int(pk) for pk in invitation_ids})
    if not ids:
        raise DomainError("Select the invitations to send again", field="invitations")
    if len(ids) > MAX_RESEND:
        raise DomainError(f"Send at most {MAX_RESEND} invitations at a time", field="invitations")
    expired = {
        invitation.pk: invitation
        for invitation in Invitation.objects.select_for_update().select_related("school").filter(pk__in=ids)
    }
    errors: list[tuple[int, str]] = []
    for pk in ids:
        invitation = expired.get(pk)
        if invitation is None:
            errors.append((pk, f"Invitation {pk} does not exist"))
            continue
        status = invitation.status_at(now)
        if status != "expired":
            errors.append((pk, f"The invitation for {invitation.email} is {status}, not expired"))
            continue
        if Invitation.objects.filter(
            school_id=invitation.school_id, email__iexact=invitation.email, created_at__gt=invitation.created_at
        ).exists():
            errors.append((pk, f"The invitation for {invitation.email} has already been sent again"))
            continue
        try:
            _check_invitable(school=invitation.school, email=invitation.email, role=invitation.role, now=now)
        except DomainError as exc:
            errors.append((pk, exc.message))
    if errors:
        raise InvitationsNotResent(errors)
    sent = []
    for pk in ids:
        old = expired[pk]
        new, _token = _create(actor=actor, school=old.school, email=old.email, role=old.role, now=now)
        audit_record(
            actor=actor,
            verb="invitation.resent",
            target=old,
            from_state="expired",
            to_state="sent again",
            data={"new_invitation_id": new.pk, "school_urn": old.school_id, "role": old.role},
        )
        sent.append(new)
    return sent


@transaction.atomic
def invitation_revoke(*, actor: User, invitation_id: int, now=None) -> Invitation:
    """Revoke an invitation nobody has used yet; its link stops working."""
    now = now_or(now)
    invitation = Invitation.objects.select_for_update().select_related("school").get(pk=invitation_id)
    require(can_revoke_invitation(actor, invitation))
    if invitation.accepted_at:
        raise InvalidTransition("This invitation has already been accepted: end the membership instead")
    if invitation.revoked_at:
        raise InvalidTransition("This invitation has already been revoked")
    invitation.revoked_at = now
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, verb="invitation.revoked", target=invitation, from_state="pending", to_state="revoked")
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points at (any state), or None: the token is compared by its hash only."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("school").filter(token_hash=token_hash(token)).first()


INVITATION_NOT_VALID = "This invitation link is not valid. Check you copied the whole link from the email."


@transaction.atomic
def invitation_accept(*, token: str, user: User, now=None) -> SchoolMembership:
    """The signed-in person the invitation was sent to accepts it once, before it expires; no account is created."""
    now = now_or(now)
    if not token or len(token) > 200:
        raise DomainError(INVITATION_NOT_VALID)
    invitation = (
        Invitation.objects.select_for_update().select_related("school").filter(token_hash=token_hash(token)).first()
    )
    return _accept(invitation, user=user, now=now)


@transaction.atomic
def invitation_accept_signed_in(*, invitation_id: int, user: User, now=None) -> SchoolMembership:
    """A pending invitation shown to the signed-in person it was sent to (their address verified, which is what the
    emailed link proves) is accepted from the page they land on, as by the link."""
    from allauth.account.models import EmailAddress

    now = now_or(now)
    invitation = Invitation.objects.select_for_update().select_related("school").filter(pk=invitation_id).first()
    if invitation is None or not getattr(user, "is_authenticated", False):
        raise DomainError(INVITATION_NOT_VALID, code="not_found")  # not theirs: 404
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise DomainError(INVITATION_NOT_VALID, code="not_found")  # not theirs: 404
    return _accept(invitation, user=user, now=now)


def _accept(invitation: Invitation | None, *, user: User, now) -> SchoolMembership:
    if invitation is None:
        raise DomainError(INVITATION_NOT_VALID)
    if invitation.revoked_at:
        raise InvalidTransition("This invitation has been withdrawn. Ask whoever invited you to send a new one.")
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
    school = invitation.school
    if not school.is_open:
        raise DomainError(f"{school.name} has closed, so this invitation can no longer be accepted.")

    current = SchoolMembership.objects.select_for_update().current().filter(user=user, school=school).first()
    membership = current
    if current is not None and current.role == SchoolMembership.Role.STAFF and invitation.role == "headteacher":
        end_record(
            current,
            actor=user,
            reason="Became headteacher by invitation",
            verb="membership.ended",
            now=now,
            data={"school_urn": school.urn, "role": current.role},
        )
        membership = None
    if membership is None:
        membership = SchoolMembership.objects.create(
            user=user, school=school, role=invitation.role, granted_by=invitation.invited_by, granted_at=now
        )
        if current is not None:
            # A member of staff who becomes headteacher keeps their duties.
            for duty in current.duties.current():
                end_record(duty, actor=user, reason="Moved to headteacher membership", verb="duty.moved", now=now)
                membership.duties.create(duty=duty.duty, granted_by=duty.granted_by, granted_at=duty.granted_at)
        audit_record(
            actor=user,
            verb="membership.granted",
            target=membership,
            to_state="current",
            reason="Accepted an invitation",
            data={"school_urn": school.urn, "role": membership.role, "invitation_id": invitation.pk},
        )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, verb="invitation.accepted", target=invitation, from_state="pending", to_state="accepted")
    return membership
