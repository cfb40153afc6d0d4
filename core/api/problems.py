"""One error shape for the whole API: RFC 9457 problem details (`application/problem+json`).

Every 4xx and 5xx under /api/ answers

    {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "Check the fields named in errors.",
     "instance": "/api/v1/wands/requests/", "code": "invalid", "errors": {"quantity": ["Enter a number."]},
     "request_id": "…"}

- `type` is `about:blank` and `title` the HTTP status phrase (RFC 9457 §4.2.1): what kind of error it is is `code`,
  a stable machine-readable word listed in docs/api.md (CODES below).
- `detail` is a sentence for a person; `instance` the path of the request (no query string: it may hold search
  terms); `request_id` the id in the logs (also the `X-Request-ID` header).
- `errors` (only with field errors) maps each field to its messages; nested fields are dotted (`rows.2.urn`); errors
  that are about no one field are under `non_field_errors`.

The DRF views get it from core.api.exceptions.exception_handler; the responses Django and the middleware write
(unknown /api/ paths, 500, CSRF, two-factor, view-as, the database down) from `problem_response`; and
core.api.middleware.ApiProblemMiddleware turns any other error answer under /api/ into one, so none is ever HTML.
"""

import json
from http import HTTPStatus

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.request_context import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"

# The stable `code` values with their usual status; docs/api.md lists them (a test checks it lists every one).
CODES = {
    "invalid": (400, "The input is not valid: `errors` names each field with its messages."),
    "parse_error": (400, "The body is not valid JSON."),
    "bad_request": (400, "The request could not be understood (a malformed header, for example)."),
    "not_authenticated": (401, "No credentials were sent."),
    "authentication_failed": (401, "The token is wrong, expired or revoked."),
    "permission_denied": (403, "Your roles do not allow this."),
    "csrf_failed": (403, "A browser session request without its CSRF token."),
    "two_factor_required": (403, "The session has not passed two-factor sign-in."),
    "view_as_read_only": (403, "Viewing the service as another user is read-only."),
    "not_found": (404, "No such address, or an object you may not see."),
    "method_not_allowed": (405, "The address does not take that method (`Allow` lists those it takes)."),
    "not_acceptable": (406, "The `Accept` header asks for a format the operation cannot give."),
    "conflict": (409, "The request clashes with the current state (already decided, already taken)."),
    "invalid_transition": (409, "The object is not in a state that allows this step."),
    "precondition_failed": (412, "`If-Match` does not match the object's current `ETag`: someone changed it."),
    "unsupported_media_type": (415, "The body is not `application/json` (or `multipart/form-data` for uploads)."),
    "idempotency_key_reused": (422, "The `Idempotency-Key` was used before with a different body."),
    "precondition_required": (428, "A PATCH needs `If-Match` with the `ETag` of the object you read."),
    "throttled": (429, "Too many requests: wait `Retry-After` seconds."),
    "limit_reached": (429, "A limit of the service was reached (for example invitations a day)."),
    "server_error": (500, "Something went wrong on our side; quote `request_id` to support."),
    "service_unavailable": (503, "The service is down for a moment: retry after `Retry-After` seconds."),
    "storage_unavailable": (503, "File storage refused the write: nothing was saved; retry later."),
}
# Domain rules name their own codes (core.errors.DomainError subclasses and `code=` arguments in the services): these
# are listed in docs/api.md too, by area.

_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}


def default_code(status: int) -> str:
    return _STATUS_CODES.get(status) or ("server_error" if status >= 500 else "bad_request")


def title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def is_api_path(request) -> bool:
    return request is not None and getattr(request, "path", "").startswith(API_PREFIX)


def problem_body(
    status: int, *, code: str = "", detail: str = "", instance: str = "", errors: dict | None = None, **extra
) -> dict:
    body = {
        "type": "about:blank",
        "title": title_for(status),
        "status": status,
        "detail": detail or title_for(status),
        "code": code or default_code(status),
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(request, status: int, *, headers: dict | None = None, **fields) -> HttpResponse:
    """A plain Django response (for middleware and Django's error handlers, which have no DRF renderer)."""
    body = problem_body(status, instance=getattr(request, "path", "") if request is not None else "", **fields)
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


_RENDERER = ProblemJSONRenderer()


class ProblemResponse(Response):
    """A DRF Response that is always rendered as problem+json, whatever the operation's renderers and the `Accept`
    header asked for (a CSV operation's error is still JSON; a 406 cannot be answered in the refused format)."""

    @property
    def accepted_renderer(self):
        return _RENDERER

    @accepted_renderer.setter
    def accepted_renderer(self, value):  # DRF's finalize_response sets the negotiated renderer: not for errors
        pass

    @property
    def accepted_media_type(self):
        return PROBLEM_CONTENT_TYPE

    @accepted_media_type.setter
    def accepted_media_type(self, value):
        pass


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as {"field": [messages]}, nested fields dotted ("rows.2.urn")."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:  # DRF's list of per-item errors has {} for the items that passed
                    for field, messages in flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)).items():
                        flat.setdefault(field, []).extend(messages)
    elif detail is not None:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat
