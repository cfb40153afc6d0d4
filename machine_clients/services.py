"""Registering and revoking machine clients; auditing their tokens and refused calls; the access log's retention."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from accounts.models import Organisation
from core.api.machine_scopes import BOROUGH_READ, SCOPES
from core.errors import Conflict, DomainError
from core.services import audit_record
from machine_clients.models import MachineClient, MachineClientCall
from machine_clients.permissions import can_manage_machine_clients
from schools.models import LocalAuthority

VALID_FOR_DAYS = (30, 90, 180, 365)


@dataclass(frozen=True)
class RegisteredClient:
    client: MachineClient
    client_secret: str  # the plaintext: in this object only, never stored


def _validate(
    *, name: str, local_authority_code: int | None, organisation_id: int | None, scopes: list[str], days: int
) -> tuple[LocalAuthority | None, Organisation | None]:
    if not name.strip():
        raise DomainError("Enter a name for the system", field="name")
    if len(name.strip()) > 100:
        raise DomainError("The name must be 100 characters or fewer", field="name")
    if not scopes:
        raise DomainError("Select what the system may read", field="scopes")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise DomainError(f"Unknown scope: {', '.join(unknown)}", field="scopes")
    if days not in VALID_FOR_DAYS:
        raise DomainError("Select how long the credentials work", field="days")
    if (local_authority_code is None) == (organisation_id is None):
        raise DomainError(
            "Select a local authority or a verified organisation (one, not both)", field="local_authority"
        )
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id, status=Organisation.Status.VERIFIED).first()
        if organisation is None:
            raise DomainError("Select a verified organisation", field="organisation")
        if BOROUGH_READ in scopes:
            raise DomainError("Only a local authority's system may read its borough's figures", field="scopes")
        return None, organisation
    authority = (
        LocalAuthority.objects.exclude(area=LocalAuthority.Area.OUTSIDE).filter(code=local_authority_code).first()
    )
    if authority is None:
        raise DomainError("Select a London local authority", field="local_authority")
    return authority, None


@transaction.atomic
def machine_client_register(
    *,
    actor,
    name: str,
    scopes: list[str],
    days: int,
    local_authority_code: int | None = None,
    organisation_id: int | None = None,
) -> RegisteredClient:
    """Programme admins register a system for a London local authority (or a verified organisation, which may not
    read a borough's figures) with read-only scopes; the secret is shown once and only its hash is kept
    (django-oauth-toolkit's hashed client secret)."""
    if not can_manage_machine_clients(actor):
        raise PermissionDenied
    authority, organisation = _validate(
        name=name,
        local_authority_code=local_authority_code,
        organisation_id=organisation_id,
        scopes=scopes,
        days=days,
    )
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name.strip(),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=True,
    )
    now = timezone.now()
    ordered_scopes = [scope for scope in SCOPES if scope in set(scopes)]
    client = MachineClient.objects.create(
        application=application,
        name=name.strip(),
        local_authority=authority,
        organisation=organisation,
        scopes=ordered_scopes,
        registered_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        actor=actor,
        verb="machine_client.registered",
        target=client,
        to_state=MachineClient.Status.ACTIVE,
        data={
            "client_id": application.client_id,
            "local_authority": authority.code if authority else None,
            "organisation": organisation.pk if organisation else None,
            "scopes": ordered_scopes,
            "expires_at": client.expires_at.isoformat(),
        },
    )
    return RegisteredClient(client=client, client_secret=secret)


@transaction.atomic
def machine_client_revoke(*, client_id: int, actor, reason: str = "") -> MachineClient:
    """Revoking stops the client at once: no new tokens, and the tokens it holds stop working."""
    if not can_manage_machine_clients(actor):
        raise PermissionDenied
    client = MachineClient.objects.select_for_update().select_related("application").get(pk=client_id)
    if client.revoked_at is not None:
        raise Conflict("This client was already revoked")
    before = client.status
    now = timezone.now()
    client.revoked_at, client.revoked_by, client.revoke_reason = now, actor, reason.strip()
    client.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    ended = AccessToken.objects.filter(application=client.application, expires__gt=now).update(expires=now)
    audit_record(
        actor=actor,
        verb="machine_client.revoked",
        target=client,
        from_state=before,
        to_state=MachineClient.Status.REVOKED,
        reason=client.revoke_reason,
        data={"client_id": client.application.client_id, "tokens_ended": ended},
    )
    return client


def machine_client_token_issued(*, client: MachineClient, token: AccessToken) -> None:
    """Each access token issued is audited (a few a day per system, not one per read)."""
    audit_record(
        actor=None,
        verb="machine_client.token_issued",
        target=client,
        data={"client_id": client.client_id, "scopes": token.scope.split(), "expires": token.expires.isoformat()},
    )


def machine_client_refusal_record(*, client: MachineClient, reason: str, path: str = "", scope: str = "") -> None:
    """A refused call or token request by a known client is audited: who (the client), what, why."""
    audit_record(
        actor=None,
        verb="machine_client.refused",
        target=client,
        reason=reason,
        data={"client_id": client.client_id, "path": path[:255], **({"scope_needed": scope} if scope else {})},
    )


def machine_client_call_log(
    *, client_id: int, method: str, path: str, status_code: int, refused: str = "", request_id: str = ""
) -> MachineClientCall:
    """One row per call in the access log (kept MACHINE_CLIENT_CALL_RETENTION_DAYS days)."""
    now = timezone.now()
    call = MachineClientCall.objects.create(
        client_id=client_id,
        at=now,
        method=method[:10],
        path=path[:255],
        status_code=status_code,
        refused=refused[:40],
        request_id=request_id[:64],
    )
    # Day precision is enough to tell a live system from a dead one, and spares a write on every call.
    MachineClient.objects.filter(pk=client_id).exclude(last_used_at__gte=now - timedelta(days=1)).update(
        last_used_at=now
    )
    return call


def machine_client_calls_prune(*, now=None) -> int:
    """Delete access-log rows older than the retention period; returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MACHINE_CLIENT_CALL_RETENTION_DAYS)
    deleted, _ = MachineClientCall.objects.filter(at__lt=cutoff).delete()
    return deleted
