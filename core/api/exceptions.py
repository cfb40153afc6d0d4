from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.outage import log_outage
from core.request_context import current_request_id
from core.unavailable import (
    PROBLEM_CONTENT_TYPE,
    RETRY_AFTER_SECONDS,
    is_unavailable_error,
    problem_body,
)


def exception_handler(exc, context):
    """Domain errors become 400/409 with field errors; Django validation errors become 400. Never a 500 for input."""
    if isinstance(exc, DomainError):
        field = exc.field or "non_field_errors"
        response = Response({field: [exc.message], "code": exc.code}, status=exc.status_code)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | PermissionDenied):
        return drf_exception_handler(exc, context)
    if is_unavailable_error(exc):
        # The database is down: 503 problem details with Retry-After, logged once a minute (not per request).
        log_outage("api-database", "database unavailable: API answered 503", error=exc)
        return Response(
            problem_body(request_id=current_request_id()),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return drf_exception_handler(exc, context)
