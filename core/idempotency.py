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
from functools import wraps

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


class _NotKept(Exception):
    """The create answered without succeeding (a 4xx it returned rather than raised): nothing is kept."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def _fingerprintable(data):
    """The request body as plain JSON-able values; an uploaded file by the sha256 of its bytes."""
    if hasattr(data, "lists"):  # QueryDict / MultiValueDict (a multipart upload)
        return {name: [_fingerprintable(value) for value in values] for name, values in data.lists()}
    if hasattr(data, "read") and hasattr(data, "seek"):
        digest = hashlib.sha256()
        for chunk in data.chunks() if hasattr(data, "chunks") else [data.read()]:
            digest.update(chunk)
        data.seek(0)
        return {"file_sha256": digest.hexdigest()}
    return data


def idempotent_response(*, user, scope: str, key: str, payload, respond: Callable[[], Response]) -> Response:
    """Like `idempotent_create`, for a view's whole answer: `respond` runs once per person, scope and key; a 2xx answer
    is kept and replayed (status and body), anything else is returned as it is and keeps nothing."""
    key = (key or "").strip()
    if len(key) > KEY_MAX_LENGTH:
        raise DomainError(f"An Idempotency-Key must be {KEY_MAX_LENGTH} characters or fewer.", field="idempotency_key")
    fingerprint = request_fingerprint(payload)
    lookup = {"user_id": user.pk, "scope": scope[:60], "key": key}
    existing = IdempotentResponse.objects.filter(**lookup).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotentResponse.objects.create(**lookup, fingerprint=fingerprint, status_code=200, body={})
            response = respond()
            if not (200 <= response.status_code < 300) or not isinstance(response, Response):
                raise _NotKept(response)
            record.status_code = response.status_code
            record.body = _as_json(response.data)
            record.save(update_fields=["status_code", "body"])
    except _NotKept as not_kept:
        return not_kept.response
    except IntegrityError:
        existing = IdempotentResponse.objects.filter(**lookup).first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    response.data = record.body  # the first answer is the stored JSON, so it and its replays cannot differ
    return response


def idempotent(scope: str):
    """Decorator for an API view's create (POST) method: an `Idempotency-Key` header makes a retry safe (the first
    answer again, `Idempotent-Replayed: true`; the key with another body is 422 `idempotency_key_reused`). Documented
    in the OpenAPI schema (the header here; its 422 by core.api.schema.document_errors)."""
    from drf_spectacular.utils import extend_schema

    from core.api.idempotency import IDEMPOTENCY_KEY_HEADER

    def decorate(method):
        @wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get("Idempotency-Key", "")
            if not key.strip() or not request.user.is_authenticated:
                return method(view, request, *args, **kwargs)
            payload = {"body": _fingerprintable(request.data), "path": {k: str(v) for k, v in kwargs.items()}}
            return idempotent_response(
                user=request.user,
                scope=scope,
                key=key,
                payload=payload,
                respond=lambda: method(view, request, *args, **kwargs),
            )

        return extend_schema(parameters=[IDEMPOTENCY_KEY_HEADER])(wrapper)

    return decorate
