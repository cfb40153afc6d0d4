"""Background work of the sign-up: every email to a subscriber is sent here, through services' one gate."""

from django_tasks import task

from . import services


@task()
def vru_email_deliver(
    *, subscriber_id: int, template: str, context: dict, purpose: str, topic_id: int | None = None
) -> bool:
    """One email to one subscriber; the suppression is checked again now, at sending time."""
    return services.vru_email_deliver_now(
        subscriber_id=subscriber_id, template=template, context=context, purpose=purpose, topic_id=topic_id
    )


@task()
def vru_update_fan_out(*, message_id: int) -> int:
    """An update to every confirmed subscriber of its topic, as they are when it is sent."""
    return services.update_fan_out(message_id=message_id)
