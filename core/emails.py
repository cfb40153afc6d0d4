"""Emails go out from a background task, and only once the transaction that asked for them has committed.

An email is three templates in an app's `templates/emails/`: `<name>_subject.txt` (one line), `<name>.txt` (plain
text, `{% extends "emails/base.txt" %}`) and `<name>.html` (`{% extends "emails/base.html" %}`, inline styles only).
The context is stored as JSON with the task: pass strings, numbers and ids, and absolute links built from
`settings.SITE_URL`. Never a UPN or other pupil detail: emails leave the service.
"""

import json
import logging
import math
import re
from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.template.loader import get_template

from .tasks import email_deliver

logger = logging.getLogger("portal.email")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


def _check_json(value, path: str = "context") -> None:
    """Task arguments are stored as JSON: refuse anything that would not survive the round trip unchanged."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{path} is not a finite number; email context must be JSON-serialisable.")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} has a key of type {type(key).__name__}; email context keys must be strings.")
            _check_json(item, f"{path}[{key!r}]")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    raise TypeError(
        f"{path} is a {type(value).__name__}; email context must be JSON-serialisable "
        "(pass ids, strings and numbers, not model instances, dates or lazy text)."
    )


def _addresses(value: Sequence[str] | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise TypeError(f"{name} must be a list of addresses, not a string.")
    addresses = list(value)
    if not all(isinstance(address, str) and address for address in addresses):
        raise TypeError(f"{name} must contain only non-empty strings.")
    return addresses


def _enqueue(*, to: list[str], template: str, context: dict, reply_to: list[str] | None) -> None:
    # The change has committed: a queue failure must not turn it into an error page, nor log the addresses.
    try:
        email_deliver.enqueue(to=to, template=template, context=context, reply_to=reply_to)
    except Exception as exc:  # noqa: BLE001
        logger.error(
            "email could not be queued",
            extra={"template": template, "recipients": len(to), "error": type(exc).__name__},
        )


def email_send(*, to: list[str], template: str, context: dict, reply_to: list[str] | None = None) -> None:
    """Send `emails/<template>` to `to` after the current transaction commits; nothing is sent if it rolls back."""
    recipients = _addresses(to, "to")
    if not recipients:
        raise ValueError("An email needs at least one recipient.")
    reply_addresses = _addresses(reply_to, "reply_to") or None
    if not isinstance(template, str) or not _TEMPLATE_NAME.match(template):
        raise ValueError("template must be a name like 'wand_request_approved' (lower case, digits, _ and /).")
    for suffix in ("_subject.txt", ".txt", ".html"):
        get_template(f"emails/{template}{suffix}")  # a missing template fails here, in the request, not in the worker
    if not isinstance(context, dict):
        raise TypeError("context must be a dict.")
    _check_json(context)
    # A copy, so a caller changing its dict before the commit cannot change what is sent.
    context = json.loads(json.dumps(context))
    transaction.on_commit(
        partial(_enqueue, to=recipients, template=template, context=context, reply_to=reply_addresses)
    )
    # Addresses and context values are personal data: log only what kind of email and how many recipients.
    logger.info("email scheduled", extra={"template": template, "recipients": len(recipients)})
