"""Systems that call the API with OAuth 2.0 client credentials, and the log of their calls.

The OAuth side (client id, hashed secret, access tokens) is django-oauth-toolkit's `Application` and `AccessToken`;
a `MachineClient` says what the portal knows of the system: whose it is (a local authority), what it may read
(scopes), until when, and whether it was revoked.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from oauth2_provider.models import Application

from core.api.machine_scopes import SCOPES
from core.workflow import Action


class MachineClient(models.Model):
    """A system registered by a programme admin for a local authority or a verified organisation. Only the hash of its
    secret is stored."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    # The status follows from the dates (status_at); a client not yet revoked, expired or not, can be revoked.
    TAG_COLOURS = {Status.ACTIVE: "green", Status.EXPIRED: "grey", Status.REVOKED: "red"}
    ACTIONS = {
        "revoke": Action(
            "Revoke",
            statuses=(Status.ACTIVE, Status.EXPIRED),
            allowed="machine_clients.permissions.can_revoke_machine_client",
        )
    }

    SCOPE_CHOICES = list(SCOPES.items())

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="machine_client")
    name = models.CharField(max_length=100, help_text="What the system is, e.g. 'Camden nightly schools import'.")
    local_authority = models.ForeignKey(
        "schools.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A verified community, faith or youth organisation, instead of a local authority.",
    )
    scopes = models.JSONField(default=list, help_text="Scope names (core.api.machine_scopes.SCOPES).")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(local_authority__isnull=False, organisation__isnull=True)
                | models.Q(local_authority__isnull=True, organisation__isnull=False),
                name="machine_client_for_one_owner",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_name(self) -> str:
        """Whose system it is: the local authority or the organisation."""
        return self.local_authority.name if self.local_authority_id else self.organisation.name

    def status_at(self, now) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def client_id(self) -> str:
        return self.application.client_id

    def scope_labels(self) -> list[str]:
        return [SCOPES.get(scope, scope) for scope in self.scopes]


class MachineClientCall(models.Model):
    """One API call made with a client's access token (or a token request), kept for a retention period
    (MACHINE_CLIENT_CALL_RETENTION_DAYS) and then deleted: not the append-only audit, which must not grow with every
    read. Refused calls are also audited."""

    client = models.ForeignKey(MachineClient, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255, help_text="The path only: query strings are not kept.")
    status_code = models.PositiveSmallIntegerField()
    refused = models.CharField(max_length=40, blank=True, help_text="Why the call was refused, if it was.")
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["client", "at"], name="machine_call_client_at_idx"),
            models.Index(fields=["at"], name="machine_call_at_idx"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} {self.status_code}"
