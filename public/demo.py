"""Demo data for the VRU updates sign-up: the topics, two versions of the consent statement (the first kept, as
every version is), and confirmed, waiting and unsubscribed addresses at example.org. Written directly rather than
through the sign-up service so that seeding sends no confirmation emails. Deterministic; skipped once it has run."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .defaults import ensure_defaults
from .models import ConsentRecord, ConsentStatement, Subscriber, Topic

ORDER = 80
SUBSCRIBERS = 40
CONSENT_TEXT_V2 = (
    "I agree that the Mayor of London's Violence Reduction Unit (VRU) may email me updates about the topics I have "
    "chosen. The VRU keeps my email address, my topics and the time I agreed, uses them only to send these updates, "
    "and shares them with nobody. I can unsubscribe at any time with the link in every email; the VRU will then never "
    "email me again."
)


@transaction.atomic
def seed(*, stdout, options) -> None:
    ensure_defaults(Topic, ConsentStatement)
    if Subscriber.objects.filter(email__endswith="@example.org").exists():
        stdout.write("  public: demo subscribers already present")
        return
    first = ConsentStatement.objects.get(version=1)
    second, _ = ConsentStatement.objects.get_or_create(version=2, defaults={"text": CONSENT_TEXT_V2})
    topics = list(Topic.objects.order_by("order"))
    rng = random.Random(80)  # noqa: S311 - demo data, not security
    now = timezone.now()
    for index in range(1, SUBSCRIBERS + 1):
        given = now - timedelta(days=rng.randint(1, 300))
        statement = first if given < now - timedelta(days=150) else second
        status = (
            Subscriber.Status.UNSUBSCRIBED
            if index % 13 == 0
            else Subscriber.Status.PENDING
            if index % 7 == 0
            else Subscriber.Status.CONFIRMED
        )
        chosen = rng.sample(topics, rng.randint(1, 3))
        confirmed_at = given + timedelta(hours=rng.randint(1, 48)) if status != Subscriber.Status.PENDING else None
        subscriber = Subscriber.objects.create(
            email=f"reader{index:02d}@example.org",
            status=status,
            confirmed_at=confirmed_at,
            unsubscribed_at=now - timedelta(days=1) if status == Subscriber.Status.UNSUBSCRIBED else None,
        )
        consent = ConsentRecord.objects.create(subscriber=subscriber, statement=statement)
        ConsentRecord.objects.filter(pk=consent.pk).update(
            given_at=given,
            confirmed_at=confirmed_at,
            withdrawn_at=subscriber.unsubscribed_at,
        )
        consent.topics.set(chosen)
        if status == Subscriber.Status.CONFIRMED:
            subscriber.topics.set(chosen)
    stdout.write(f"  public: {SUBSCRIBERS} demo subscribers, consent statement versions 1 and 2")
