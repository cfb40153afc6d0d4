"""A dependency the service truly needs (the database) is down: 503 with Retry-After, never a 500.

Pages get the GOV.UK "Sorry, the service is unavailable" page; the API gets problem details (RFC 9457). Caches are
not such a dependency (core.cache turns their failures into misses), nor is file storage outside its own views.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def is_unavailable_error(exc: BaseException | None) -> bool:
    """True for the database being unreachable, restarting or refusing connections (and their causes)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


UNAVAILABLE_DETAIL = "The service is unavailable. Try again later."


def unavailable_response(request, *, request_id: str = "") -> HttpResponse:
    if request is not None and request.path.startswith(API_PREFIX):
        from core.api.problems import problem_response

        response = problem_response(
            request, 503, code="service_unavailable", detail=UNAVAILABLE_DETAIL, request_id=request_id or None
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render({"request_id": request_id}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
