"""Writes of the public side: the VRU updates sign-up (double opt-in), confirmation, unsubscribe, and updates sent
to a topic's subscribers.

Every email to a subscriber goes through `vru_email_send` → `vru_email_deliver_now`: the one place that refuses an
unsubscribed address (checked when the email is scheduled and again when the worker sends it).
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.errors import DomainError
from core.services import audit_record
from core.tasks import render_email, send_once
from core.workflow import transition

from .models import ConsentRecord, ConsentStatement, Subscriber, Topic, UpdateMessage
from .permissions import can_manage_vru_updates
from .selectors import current_consent_statement

logger = logging.getLogger("portal.public")

CONFIRM_SALT = "public.vru-updates.confirm"
UNSUBSCRIBE_SALT = "public.vru-updates.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)

# Sign-up attempts allowed per window: per client address, and per email address (so nobody can make the service
# send confirmation emails to someone else's inbox over and over).
SIGNUP_LIMIT_WINDOW_SECONDS = 60 * 60
SIGNUP_LIMIT_PER_IP = getattr(settings, "VRU_SIGNUP_LIMIT_PER_IP", 10)
SIGNUP_LIMIT_PER_ADDRESS = getattr(settings, "VRU_SIGNUP_LIMIT_PER_ADDRESS", 3)


class LinkNotValid(DomainError):
    """A confirmation or unsubscribe link that was changed, is not ours or no longer applies."""


class LinkExpired(DomainError):
    """A confirmation link older than CONFIRM_MAX_AGE."""


class RateLimited(DomainError):
    """Too many sign-ups from this place or for this address."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- tokens ------------------------------------------------------------------------------------------------------


def confirm_token_for(consent: ConsentRecord) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object({"c": consent.pk})


def unsubscribe_token_for(subscriber_id: int) -> str:
    # No expiry: an unsubscribe link in an old email must still work.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": subscriber_id})


def _consent_id_from(token: str) -> int:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=CONFIRM_MAX_AGE.total_seconds())
    except signing.SignatureExpired:
        raise LinkExpired(
            "This link has expired. Confirmation links work for 7 days: sign up again to get a new one."
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkNotValid("This link is not valid. Check you copied the whole link from the email.") from None
    if not isinstance(value, dict) or not isinstance(value.get("c"), int):
        raise LinkNotValid("This link is not valid. Check you copied the whole link from the email.")
    return value["c"]


def subscriber_id_from_unsubscribe_token(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkNotValid(
            "This unsubscribe link is not valid. Check you copied the whole link from the email."
        ) from None
    if not isinstance(value, dict) or not isinstance(value.get("s"), int):
        raise LinkNotValid("This unsubscribe link is not valid. Check you copied the whole link from the email.")
    return value["s"]


# --- rate limit ---------------------------------------------------------------------------------------------------


def _hit(key: str, *, limit: int) -> bool:
    """Count one attempt in the current window; False once the limit is passed."""
    cache.add(key, 0, timeout=SIGNUP_LIMIT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=SIGNUP_LIMIT_WINDOW_SECONDS)
        count = 1
    return count <= limit


def _cache_key_part(value: str) -> str:
    # Keyed with the secret: the cache never holds an address, nor a plain hash one could test guesses against.
    return salted_hmac("public.vru-updates.rate-limit", value, algorithm="sha256").hexdigest()


def signup_rate_check(*, client_ip: str, email: str) -> None:
    """Refuse a sign-up beyond the limits per client address and per email address."""
    address_key = _cache_key_part(normalise_email(email))
    ip_key = _cache_key_part(client_ip or "unknown")
    ip_ok = _hit(f"vru-signup:ip:{ip_key}", limit=SIGNUP_LIMIT_PER_IP)
    address_ok = _hit(f"vru-signup:address:{address_key}", limit=SIGNUP_LIMIT_PER_ADDRESS)
    if not (ip_ok and address_ok):
        raise RateLimited("You have tried to sign up too many times. Wait an hour, then try again.")


# --- the one gate every email to a subscriber passes ---------------------------------------------------------------


def _may_email(subscriber: Subscriber | None, *, purpose: str, topic_id: int | None = None) -> bool:
    """The suppression rule, in one place: an unsubscribed address is never emailed again. Updates go only to
    confirmed subscribers of the topic; the confirmation email also to an address still waiting to confirm."""
    if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return False
    if purpose == "confirmation":
        return True
    if subscriber.status != Subscriber.Status.CONFIRMED:
        return False
    return topic_id is None or subscriber.topics.filter(pk=topic_id).exists()


def address_is_suppressed(email: str) -> bool:
    return Subscriber.objects.filter(email=normalise_email(email), status=Subscriber.Status.UNSUBSCRIBED).exists()


def vru_email_deliver_now(*, subscriber_id: int, template: str, context: dict, purpose: str, topic_id=None) -> bool:
    """Send one email to one subscriber, with its unsubscribe link and a List-Unsubscribe header; False (and
    nothing sent) when the address may not be emailed. Runs in the worker."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if not _may_email(subscriber, purpose=purpose, topic_id=topic_id):
        logger.info("vru email suppressed", extra={"template": template, "purpose": purpose})
        return False
    token = unsubscribe_token_for(subscriber.pk)
    site = settings.SITE_URL.rstrip("/")
    unsubscribe_url = site + reverse("public:unsubscribe", kwargs={"token": token})
    one_click_url = site + reverse("public:unsubscribe_one_click", kwargs={"token": token})
    subject, text_body, html_body = render_email(
        template=template, context={**context, "unsubscribe_url": unsubscribe_url}
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to the header's address (the only
        # CSRF-exempt endpoint: the signed token is the authority). The link in the body opens a one-button page.
        headers={"List-Unsubscribe": f"<{one_click_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html_body, "text/html")
    # Once per task: a task taken back from a stopped worker does not send again (core.tasks.send_once).
    if send_once(message, template=template):
        logger.info("vru email sent", extra={"template": template, "purpose": purpose})
    return True


def vru_email_send(*, subscriber_id: int, template: str, context: dict, purpose: str, topic_id=None) -> None:
    """Schedule one email to a subscriber after the current transaction commits (checked again when sent)."""
    from .tasks import vru_email_deliver

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if not _may_email(subscriber, purpose=purpose, topic_id=topic_id):
        return
    transaction.on_commit(
        partial(
            vru_email_deliver.enqueue,
            subscriber_id=subscriber_id,
            template=template,
            context=context,
            purpose=purpose,
            topic_id=topic_id,
        )
    )


# --- sign-up, confirmation, unsubscribe ----------------------------------------------------------------------------


@transaction.atomic
def consent_statement_publish(*, text: str, actor=None) -> ConsentStatement:
    """A new wording of the consent statement is a new version; earlier versions stay as they were. Programme admins
    only (`actor=None` is the data migration and the tests)."""
    if actor is not None and not can_manage_vru_updates(actor):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter the new wording of the consent statement", field="text")
    current = ConsentStatement.objects.select_for_update().order_by("-version").first()
    if current is not None and current.text == text:
        raise DomainError(
            "This is the wording of the current version. Change it to publish a new version.", field="text"
        )
    statement = ConsentStatement.objects.create(version=(current.version + 1) if current else 1, text=text)
    audit_record(actor=actor, verb="consent_statement.published", target=statement, to_state=str(statement.version))
    return statement


def _waiting_for_the_same(subscriber: Subscriber, *, statement, topics) -> bool:
    """A pending address with an unconfirmed consent to this statement and these topics, still in date."""
    if subscriber.status != Subscriber.Status.PENDING:
        return False
    wanted = {t.pk for t in topics}
    recent = (
        ConsentRecord.objects.filter(
            subscriber=subscriber,
            statement=statement,
            confirmed_at__isnull=True,
            withdrawn_at__isnull=True,
            given_at__gte=timezone.now() - CONFIRM_MAX_AGE,
        )
        .prefetch_related("topics")
        .order_by("-given_at")
    )
    return any({t.pk for t in consent.topics.all()} == wanted for consent in recent[:5])


@transaction.atomic
def signup_request(*, email: str, topic_slugs, statement_version: int) -> None:
    """Record a sign-up's consent and email a confirmation link. Answers the same whatever the address's history:
    a new, a pending and a confirmed address each get a confirmation email; an unsubscribed one gets nothing."""
    address = normalise_email(email)
    if not address:
        raise DomainError("Enter your email address", field="email")
    topics = list(Topic.objects.filter(slug__in=list(topic_slugs or []), is_active=True))
    if not topics:
        raise DomainError("Select at least one topic", field="topics")
    statement = ConsentStatement.objects.filter(version=statement_version).first()
    current = current_consent_statement()
    if statement is None or current is None or statement.pk != current.pk:
        raise DomainError(
            "The consent statement has changed since you opened this page. Read it again and confirm.",
            field="consent",
        )
    subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=address)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return  # suppressed for good: nothing recorded, nothing sent; the page says the same as for anyone
    if _waiting_for_the_same(subscriber, statement=statement, topics=topics):
        # Back and submit again: the address is already waiting to confirm exactly this. Its confirmation email is
        # on its way; a second consent record and email would say nothing new. The page says the same as ever.
        return
    consent = ConsentRecord.objects.create(subscriber=subscriber, statement=statement)
    consent.topics.set(topics)
    audit_record(
        actor=None,
        verb="vru_signup.requested",
        target=consent,
        to_state="pending",
        data={"statement_version": statement.version, "topics": sorted(t.slug for t in topics)},
    )
    confirm_url = settings.SITE_URL.rstrip("/") + reverse(
        "public:signup_confirm", kwargs={"token": confirm_token_for(consent)}
    )
    vru_email_send(
        subscriber_id=subscriber.pk,
        template="public/signup_confirm",
        context={"confirm_url": confirm_url, "topics": [t.name for t in topics], "days": CONFIRM_MAX_AGE.days},
        purpose="confirmation",
    )


def _move(subscriber: Subscriber, *, to: str, verb: str, data: dict | None = None) -> None:
    if to == subscriber.status:
        return
    stamp = {Subscriber.Status.CONFIRMED: "confirmed_at", Subscriber.Status.UNSUBSCRIBED: "unsubscribed_at"}.get(to)
    transition(
        subscriber,
        to=to,
        actor=None,
        verb=verb,
        refused=f"A subscriber cannot go from {subscriber.status} to {to}.",
        changes={stamp: timezone.now()} if stamp else {},
        update_fields=("confirmed_at", "unsubscribed_at"),
        data=data,
    )


def signup_consent_for_token(token: str) -> ConsentRecord:
    """The consent record a confirmation link points to, or LinkExpired / LinkNotValid."""
    consent = ConsentRecord.objects.select_related("subscriber", "statement").filter(pk=_consent_id_from(token)).first()
    if consent is None or consent.subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise LinkNotValid("This link is no longer valid.")
    return consent


@transaction.atomic
def signup_confirm(*, token: str) -> ConsentRecord:
    """The address proves it is theirs: its consent is confirmed, its topics become those of this sign-up."""
    consent_id = signup_consent_for_token(token).pk
    consent = ConsentRecord.objects.select_for_update().select_related("subscriber").get(pk=consent_id)
    subscriber = Subscriber.objects.select_for_update().get(pk=consent.subscriber_id)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise LinkNotValid("This link is no longer valid.")
    if consent.confirmed_at is None:
        consent.confirmed_at = timezone.now()
        consent.save(update_fields=["confirmed_at"])
        subscriber.topics.set(consent.topics.all())
        _move(subscriber, to=Subscriber.Status.CONFIRMED, verb="vru_subscriber.confirmed")
        audit_record(
            actor=None, verb="vru_signup.confirmed", target=consent, from_state="pending", to_state="confirmed"
        )
    return consent


@transaction.atomic
def unsubscribe(*, token: str) -> Subscriber | None:
    """Stop every email to this address for good and withdraw its consent. Repeating it changes nothing."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id_from_unsubscribe_token(token)).first()
    if subscriber is None:
        raise LinkNotValid("This unsubscribe link is not valid.")
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return subscriber
    now = timezone.now()
    ConsentRecord.objects.filter(subscriber=subscriber, withdrawn_at__isnull=True).update(withdrawn_at=now)
    subscriber.topics.clear()
    _move(subscriber, to=Subscriber.Status.UNSUBSCRIBED, verb="vru_subscriber.unsubscribed")
    return subscriber


# --- updates sent by programme admins ------------------------------------------------------------------------------


@transaction.atomic
def update_send(*, actor, topic_id: int, subject: str, body: str) -> UpdateMessage:
    """A programme admin sends an update to a topic's confirmed subscribers, by the worker after commit."""
    if not can_manage_vru_updates(actor):
        raise PermissionDenied
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise DomainError("Select a topic", field="topic")
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise DomainError("Enter a subject", field="subject")
    if not body:
        raise DomainError("Enter the update", field="body")
    recipients = topic.subscribers.filter(status=Subscriber.Status.CONFIRMED).count()
    message = UpdateMessage.objects.create(
        topic=topic, subject=subject, body=body, sent_by=actor, recipients=recipients
    )
    audit_record(
        actor=actor, verb="vru_update.sent", target=message, data={"topic": topic.slug, "recipients": recipients}
    )
    from .tasks import vru_update_fan_out

    transaction.on_commit(partial(vru_update_fan_out.enqueue, message_id=message.pk))
    return message


def update_fan_out(*, message_id: int) -> int:
    """Each confirmed subscriber of the topic, read at sending time, gets the update through the one gate."""
    message = UpdateMessage.objects.select_related("topic").get(pk=message_id)
    sent = 0
    ids = message.topic.subscribers.filter(status=Subscriber.Status.CONFIRMED).values_list("pk", flat=True)
    for subscriber_id in ids.iterator():
        sent += vru_email_deliver_now(
            subscriber_id=subscriber_id,
            template="public/update",
            context={"subject": message.subject, "body": message.body, "topic": message.topic.name},
            purpose="update",
            topic_id=message.topic_id,
        )
    return sent


def consent_export_audit(*, actor) -> None:
    """Exporting the consent records (they hold addresses) is itself recorded."""
    if not can_manage_vru_updates(actor):
        raise PermissionDenied
    statement = current_consent_statement()
    if statement is not None:
        audit_record(actor=actor, verb="vru_consents.exported", target=statement)


@transaction.atomic
def signups_unconfirmed_purge(*, now=None) -> tuple[int, int]:
    """Store only what is needed: sign-ups never confirmed within the link's 7 days are deleted, and so are addresses
    left with no sign-up. Unsubscribed addresses stay (they must never be emailed again)."""
    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    stale = ConsentRecord.objects.filter(confirmed_at__isnull=True, withdrawn_at__isnull=True, given_at__lt=cutoff)
    records = stale.count()
    ConsentRecord.topics.through.objects.filter(consentrecord__in=stale).delete()
    stale.delete()
    orphans = Subscriber.objects.filter(status=Subscriber.Status.PENDING, consents__isnull=True)
    subscribers = orphans.count()
    Subscriber.topics.through.objects.filter(subscriber__in=orphans).delete()
    Subscriber.objects.filter(pk__in=list(orphans.values_list("pk", flat=True))).delete()
    return records, subscribers
