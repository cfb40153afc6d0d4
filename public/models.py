"""VRU updates sign-up: topics, consent statements (every version kept), subscribers, the consent each sign-up gave,
and the updates sent. Data and invariants only; writes live in services.py.

Only what is needed is stored: the address (we must email it), its topics, the consent text version and times. No
name, no IP address. The address is stored in clear because it must be emailed; it is never logged.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Topic(models.Model):
    """Something the VRU sends updates about ("Knife wands for schools", "Funding and events"...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Only active topics are offered on the sign-up form.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ConsentStatement(models.Model):
    """The exact words a person agreed to. A new wording is a new version; old versions are never changed or deleted,
    so every consent record still shows the text that person saw."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="consent_version_positive")]

    def __str__(self):
        return f"Consent statement version {self.version}"


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """One email address. Only services._move() changes `status`. An unsubscribed address is suppressed for good:
    no sending path emails it again."""

    Status = SubscriberStatus

    NEXT = {
        Status.PENDING: {Status.CONFIRMED, Status.UNSUBSCRIBED},
        Status.CONFIRMED: {Status.UNSUBSCRIBED},
        Status.UNSUBSCRIBED: set(),
    }

    email = models.EmailField(max_length=254, unique=True, help_text="Lower-cased; compared case-insensitively.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubscriberStatus.values), name="subscriber_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=SubscriberStatus.UNSUBSCRIBED) | Q(unsubscribed_at__isnull=False),
                name="subscriber_unsubscribed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriberStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="subscriber_confirmed_has_time",
            ),
        ]

    def __str__(self):
        return f"Subscriber {self.pk}"  # never the address: str() ends up in logs and admin messages


class ConsentRecord(models.Model):
    """What one sign-up agreed to: the statement version (its exact text), the topics, when it was given, when the
    address confirmed it and when it was withdrawn. Kept after unsubscribing, as the record of consent."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="consents")
    statement = models.ForeignKey(ConsentStatement, on_delete=models.PROTECT, related_name="consents")
    topics = models.ManyToManyField(Topic, related_name="+")
    given_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self):
        return f"Consent {self.pk} (statement v{self.statement.version})"


class UpdateMessage(models.Model):
    """An update a programme admin sent to one topic's confirmed subscribers."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="updates")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0, help_text="Confirmed subscribers when it was sent.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject
