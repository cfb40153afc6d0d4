from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only record of a change: who did what to which object, from which state to which, why, when."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True, help_text="Who acted, kept if the account goes.")
    verb = models.CharField(max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255, blank=True)
    from_state = models.CharField(max_length=80, blank=True)
    to_state = models.CharField(max_length=80, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.verb} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")

    @property
    def verb_display(self) -> str:
        """ "wand_request.approved" -> "Wand request approved"."""
        words = self.verb.replace(".", " ").replace("_", " ").strip()
        return words[:1].upper() + words[1:]

    # The names core/timeline.html reads, which an app's own entries (dicts) can use too.
    @property
    def title(self) -> str:
        return self.verb_display

    @property
    def at(self):
        return self.created_at

    @property
    def by(self) -> str:
        return self.actor_label

    @property
    def from_state_display(self) -> str:
        return self.from_state.replace("_", " ")

    @property
    def to_state_display(self) -> str:
        return self.to_state.replace("_", " ")


class IdempotentResponse(models.Model):
    """The answer to a create request sent with an idempotency key, kept so that every replay of the key gets exactly
    the same answer (core.idempotency). Only successful creates are kept: a refused request can be retried."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=60, help_text="Which endpoint the key belongs to, e.g. 'wands.request'.")
    key = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the request body the key was first sent with.")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotent_response_one_per_key"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key[:8]}…"


class SentEmail(models.Model):
    """An email a task has sent: written after the send and before the task is marked done, so a task the worker runs
    again (it was taken back after a crash) does not send it a second time (core.tasks.send_once). No addresses: the
    task row holds those, and both are pruned (prune_task_results)."""

    task_id = models.CharField(max_length=64)
    # Which email of the task (a task may send several, e.g. an update to each subscriber): a hash of the template,
    # the subject and the recipients, never the addresses themselves.
    message_key = models.CharField(max_length=32)
    template = models.CharField(max_length=200)
    recipients = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task_id", "message_key"], name="sent_email_once_per_task")]

    def __str__(self):
        return f"{self.template} ({self.task_id})"


class WorkerHeartbeat(models.Model):
    """The background worker's last sign of life, written every few seconds; /healthz reports how old it is."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.worker_id} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
