import datetime

import factory

from public.defaults import ensure_defaults
from public.models import ConsentRecord, ConsentStatement, Subscriber, Topic


def defaults():
    """The migrated topics and consent statement (transactional tests flush them)."""
    ensure_defaults(Topic, ConsentStatement)
    return ConsentStatement.objects.order_by("-version").first()


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscriber.Status.PENDING

    class Params:
        confirmed = factory.Trait(
            status=Subscriber.Status.CONFIRMED, confirmed_at=factory.Faker("date_time", tzinfo=datetime.UTC)
        )
        unsubscribed = factory.Trait(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=factory.Faker("date_time", tzinfo=datetime.UTC)
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord
        skip_postgeneration_save = True

    subscriber = factory.SubFactory(SubscriberFactory)
    statement = factory.LazyFunction(defaults)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create:
            self.topics.set(extracted or Topic.objects.order_by("order")[:1])
