"""The API's exception handler: every error a DRF view raises becomes RFC 9457 problem details (core.api.problems)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import set_rollback

from core.csv_import import CsvRejected
from core.errors import DomainError
from core.outage import log_outage
from core.unavailable import RETRY_AFTER_SECONDS, is_unavailable_error

from .problems import ProblemResponse, default_code, flatten_errors, problem_body

INVALID_DETAIL = "The input is not valid: see errors for each field."


def _problem(request, status: int, *, headers: dict | None = None, **fields) -> ProblemResponse:
    instance = getattr(request, "path", "") if request is not None else ""
    response = ProblemResponse(problem_body(status, instance=instance, **fields), status=status, headers=headers)
    response.content_type = "application/problem+json"
    return response


def _detail_of(errors: dict[str, list[str]]) -> str:
    messages = [message for field_messages in errors.values() for message in field_messages]
    if len(messages) == 1:
        return messages[0]
    return INVALID_DETAIL


def domain_error_problem(request, exc: DomainError, *, errors: dict | None = None, **extra) -> ProblemResponse:
    status = exc.status_code
    code = exc.code
    if code == "not_found":  # "no such X" from a service: the same answer as an unknown id
        status = 404
    if errors is None:
        errors = {exc.field or "non_field_errors": [exc.message]}
    headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) else None
    return _problem(request, status, code=code, detail=exc.message, errors=errors, headers=headers, **extra)


def exception_handler(exc, context):
    """Domain errors become 400/409/422/429 with field errors; validation errors 400 naming each field; DRF's own
    (401, 403, 404, 405, 406, 415, 429) keep their status; the database down is 503 with Retry-After. Anything else
    is left to Django (a 500, answered with problem details by core.views.server_error)."""
    request = context.get("request")
    if isinstance(exc, CsvRejected):
        set_rollback()
        rows = [{"line": line, "reason": message} for line, message in exc.problems]
        return domain_error_problem(request, exc, rows=rows)
    if isinstance(exc, DomainError):
        set_rollback()
        return domain_error_problem(request, exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if is_unavailable_error(exc):
        # The database is down: 503 problem details with Retry-After, logged once a minute (not per request).
        log_outage("api-database", "database unavailable: API answered 503", error=exc)
        return _problem(
            request,
            503,
            code="service_unavailable",
            detail="The service is unavailable. Try again later.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return _problem(
            request, exc.status_code, code="invalid", detail=_detail_of(errors), errors=errors, headers=headers
        )
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code or default_code(exc.status_code)
    text = str(detail) if not isinstance(detail, dict | list) else ""
    errors = flatten_errors(detail) if isinstance(detail, dict | list) else None
    if isinstance(exc, exceptions.PermissionDenied) and text.startswith("CSRF Failed"):
        code = "csrf_failed"
    if code == "error":  # APIException raised with a bare message: the status says what it is
        code = default_code(exc.status_code)
    return _problem(
        request, exc.status_code, code=code, detail=text or _detail_of(errors or {}), errors=errors, headers=headers
    )
