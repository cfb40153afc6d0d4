"""Background tasks of the shared building blocks. They run in `manage.py db_worker`, after the enqueuing commit."""

import contextvars
import logging
import smtplib
import time
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, close_old_connections
from django.template import Context
from django.template.loader import get_template
from django.utils.crypto import salted_hmac
from django_tasks import task
from django_tasks.signals import task_finished, task_started

logger = logging.getLogger("portal.email")
RECORD_ATTEMPTS = 6


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


def message_key(message: EmailMessage, *, template: str) -> str:
    """Which email of its task this is (a task may send several): a keyed hash of the template, the subject and the
    recipients, so the record holds no address."""
    parts = [template, str(message.subject), *sorted(message.recipients())]
    return salted_hmac("core.tasks.sent-email", "\n".join(parts), algorithm="sha256").hexdigest()[:32]


def message_id(task_id: str, key: str) -> str:
    """The same Message-ID for every attempt of a task's email: were an email ever sent twice (the worker killed
    between the send and its record), mail programs that collapse duplicates by Message-ID would show it once."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{task_id}.{key[:12]}@{domain}>"


def _already_sent(task_id: str, key: str) -> bool:
    from .models import SentEmail

    return SentEmail.objects.filter(task_id=task_id, message_key=key).exists()


def _record_sent(*, task_id: str, key: str, template: str, recipients: int) -> None:
    """Record the send before the task is marked done; retried, since the email has gone and only this stops a
    second one. If the database stays away, the task stays running and is taken back later (one duplicate at
    worst, with the same Message-ID)."""
    from .models import SentEmail

    for attempt in range(RECORD_ATTEMPTS):
        try:
            SentEmail.objects.get_or_create(
                task_id=task_id, message_key=key, defaults={"template": template, "recipients": recipients}
            )
            return
        except (OperationalError, InterfaceError):
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            close_old_connections()
            time.sleep(min(0.2 * 2**attempt, 5))


# The id of the task the worker is running (set from django-tasks' task_started signal). Not `takes_context`:
# a context-taking task's first argument must be named `context`, which email_deliver's template context already is.
_current_task_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_task_id", default="")


def _task_started(sender, task_result, **kwargs) -> None:
    _current_task_id.set(str(task_result.id))


def _task_finished(sender, task_result, **kwargs) -> None:
    _current_task_id.set("")


task_started.connect(_task_started, dispatch_uid="core.tasks.current_task_id")
task_finished.connect(_task_finished, dispatch_uid="core.tasks.current_task_id")


def send_once(message: EmailMessage, *, template: str) -> bool:
    """Send `message` from the running task unless that task sent it already (it was taken back after its worker
    stopped between the send and marking the task done); False when it had. Every email task sends through this.
    Outside a task (called directly) it just sends."""
    task_id = _current_task_id.get()
    recipients = len(message.recipients())
    if not task_id:
        message.send()
        return True
    key = message_key(message, template=template)
    if _already_sent(task_id, key):
        logger.info("email already sent", extra={"template": template, "recipients": recipients})
        return False
    message.extra_headers.setdefault("Message-ID", message_id(task_id, key))
    message.send()
    _record_sent(task_id=task_id, key=key, template=template, recipients=recipients)
    return True


@task()
def email_deliver(*, to: list[str], template: str, context: dict, reply_to: list[str] | None = None) -> int:
    """Render and send one email, once per task whatever happens to the worker; returns the number of recipients."""
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
        sent_now = send_once(message, template=template)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email failed", extra={"template": template, "recipients": len(to)})
        raise EmailDeliveryFailed(
            f"Sending {template!r} to {len(to)} recipient(s) failed: {type(exc).__name__}"
        ) from None
    if sent_now:
        logger.info("email sent", extra={"template": template, "recipients": len(to)})
    return len(to)
