"""Idempotent creates over the API: the same `Idempotency-Key` from the same person gets exactly the same answer.

The first request with a key claims it by inserting a row (unique per person, endpoint and key) in the same
transaction as the create, and stores the answer there. A concurrent request with the key waits on that insert (the
unique index) and, once the first commits, replays the stored answer; if the first failed, nothing was kept and the
retry runs as new. Every replay has the original status and body and the header `Idempotent-Replayed: true`; the key
sent again with a different body is refused with 422 (`idempotency_key_reused`), because answering with the first
request's result would hide that the second one was never carried out.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework.response import Response

from core.errors import DomainError
from core.models import IdempotentResponse

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 64


class IdempotencyKeyReused(DomainError):
    """The key was first used with a different request body."""

    status_code = 422
    code = "idempotency_key_reused"


def request_fingerprint(payload: dict) -> str:
    """sha256 of the request body in a canonical form (key order and spacing do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _as_json(body) -> dict:
    # The stored body and the first answer are the same JSON, so the original and its replays cannot differ.
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def _replay(record: IdempotentResponse, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request. Send a new key for a new request, or "
            "the same request unchanged to get its answer again.",
            field="idempotency_key",
        )
    response = Response(record.body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent_create(
    *, user, scope: str, key: str, payload: dict, create: Callable[[], dict], status_code: int = 201
) -> Response:
    """Run `create` (which returns the response body) once per person, scope and key; replay its answer after that.

    Without a key `create` simply runs. `payload` is the request body without the key itself."""
    key = (key or "").strip()
    if not key:
        return Response(_as_json(create()), status=status_code)
    if len(key) > KEY_MAX_LENGTH:
        raise DomainError(f"An Idempotency-Key must be {KEY_MAX_LENGTH} characters or fewer.", field="idempotency_key")
    fingerprint = request_fingerprint(payload)
    lookup = {"user_id": user.pk, "scope": scope, "key": key}
    existing = IdempotentResponse.objects.filter(**lookup).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            # Claims the key: a concurrent request with the same key waits here until this transaction ends.
            record = IdempotentResponse.objects.create(
                **lookup, fingerprint=fingerprint, status_code=status_code, body={}
            )
            record.body = _as_json(create())
            record.save(update_fields=["body"])
    except IntegrityError:
        existing = IdempotentResponse.objects.filter(**lookup).first()
        if existing is None:  # another constraint failed inside `create`: not ours to explain
            raise
        return _replay(existing, fingerprint)
    return Response(record.body, status=status_code)
