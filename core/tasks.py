"""Background tasks of the shared building blocks. They run in `manage.py db_worker`, after the enqueuing commit."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django_tasks import task

logger = logging.getLogger("portal.email")


class EmailDeliveryFailed(Exception):
    """Sending failed. The message names the template only: SMTP errors quote addresses, which must not be logged."""


def _render_text(template_name: str, context: dict) -> str:
    # Plain text and subjects are not HTML: render without escaping so "&" stays "&".
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), the plain-text body and the HTML body of `emails/<template>`."""
    context = {**context, "SERVICE_NAME": settings.SERVICE_NAME}
    # Header injection is impossible: the subject is folded onto one line.
    subject = " ".join(_render_text(f"emails/{template}_subject.txt", context).split())
    text_body = _render_text(f"emails/{template}.txt", context)
    html_body = get_template(f"emails/{template}.html").render({**context, "email_subject": subject})
    return subject, text_body, html_body


@task()
def email_deliver(*, to: list[str], template: str, context: dict, reply_to: list[str] | None = None) -> int:
    """Render and send one email; returns the number of recipients."""
    subject, text_body, html_body = render_email(template=template, context=context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    message.attach_alternative(html_body, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email failed", extra={"template": template, "recipients": len(to)})
        raise EmailDeliveryFailed(
            f"Sending {template!r} to {len(to)} recipient(s) failed: {type(exc).__name__}"
        ) from None
    logger.info("email sent", extra={"template": template, "recipients": len(to)})
    return len(to)
