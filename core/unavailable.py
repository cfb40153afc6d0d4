"""A dependency the service truly needs (the database) is down: 503 with Retry-After, never a 500.

Pages get the GOV.UK "Sorry, the service is unavailable" page; the API gets problem details (RFC 9457). Caches are
not such a dependency (core.cache turns their failures into misses), nor is file storage outside its own views.
"""

import json

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


def problem_body(*, request_id: str = "") -> dict:
    body = {
        "type": "about:blank",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The service is unavailable. Try again later.",
    }
    if request_id:
        body["request_id"] = request_id
    return body


def unavailable_response(request, *, request_id: str = "") -> HttpResponse:
    if request is not None and request.path.startswith(API_PREFIX):
        response = HttpResponse(
            json.dumps(problem_body(request_id=request_id)), status=503, content_type=PROBLEM_CONTENT_TYPE
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render({"request_id": request_id}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
