"""Middleware for /api/: no error without problem details; ETags, If-Match and RateLimit headers.

- `ApiProblemMiddleware` (near the top of the stack) turns any error answer under /api/ that is not problem details
  yet (a view's own JSON, Django's 405 from `require_GET`, an HTML page) into problem details, keeping its status,
  headers, `detail` and `code`. The DRF handler, Django's error handlers and the portal's middleware already answer
  with problem details; this is the net under them, so an integrator never parses an HTML page.
- `ApiConcurrencyMiddleware` (last, after authentication, two-factor and view-as):
  - every 200 JSON answer to a GET under /api/ carries a strong `ETag` (a hash of the body), and `If-None-Match`
    with it gets 304;
  - PATCH and PUT need `If-Match` with the ETag of the object (428 without it, 412 when it no longer matches);
    POST actions on one object (`…/{id}/approve/`) and DELETE accept `If-Match` (412 when it does not match). The
    object's current ETag is that of its GET, for the same caller: the GET is run inside the request (its own
    authentication and scoping apply; a caller who may not read the object gets the operation's own 401/403/404).
    A successful checked write answers with the object's new `ETag`. The check and the write are one transaction,
    and on PostgreSQL checked writes to one object take turns (a transaction-level advisory lock on its path): two
    writers sending the same ETag at the same moment get one 2xx and one 412, never two writes.
  - `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (IETF draft fields, reset in seconds) on every answer
    of a throttled operation (core.api.throttling records them).
"""

import copy
import hashlib
import json

from django.db import connection, transaction
from django.http import HttpResponseNotModified, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve

from .problems import PROBLEM_CONTENT_TYPE, default_code, flatten_errors, is_api_path, problem_response

# Response headers an error answer keeps when it is rewritten as problem details.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control", "Vary")
PRECONDITION_HEADER = "If-Match"


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
            and not getattr(response, "streaming", False)
        ):
            return as_problem(request, response)
        return response


def as_problem(request, response):
    status = response.status_code
    fields = {}
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            body = None
        if isinstance(body, dict):
            body = dict(body)
            detail, code = body.pop("detail", ""), body.pop("code", "")
            fields = {"detail": str(detail) if detail else "", "code": str(code) if code else default_code(status)}
            errors = flatten_errors(body)
            if errors:
                fields["errors"] = errors
                if not fields["detail"]:
                    messages = [message for listed in errors.values() for message in listed]
                    fields["detail"] = messages[0] if len(messages) == 1 else "The input is not valid: see errors."
    problem = problem_response(request, status, **fields)
    for name in _KEPT_HEADERS:
        if response.has_header(name):
            problem[name] = response[name]
    return problem


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    """If-Match's strong comparison: `*`, or one of the listed tags (weak tags never match)."""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    return "*" in tags or etag in tags


def _has_method(func, method: str) -> bool:
    """Whether a DRF view (or a viewset route) takes `method`."""
    actions = getattr(func, "actions", None)
    if actions is not None:
        return method in actions
    cls = getattr(func, "cls", None) or getattr(func, "view_class", None)
    return cls is not None and hasattr(cls, method) and method in getattr(cls, "http_method_names", [method])


def _has_get(match) -> bool:
    return _has_method(match.func, "get")


def _single_object_route(match, path: str) -> bool:
    """`…/{id}/`, `…/{reference}/`: the path's last part is one of the route's parameters."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    values = [*match.args, *match.kwargs.values()]
    return any(str(value) == last for value in values)


def object_path_for(request) -> str | None:
    """The path of the one object a write acts on (for If-Match), or None when it acts on no single object that has a
    GET: the path itself for PATCH, PUT and DELETE; for POST the path itself (`/wands/allowances/{urn}/`) or its
    parent (`/wands/requests/{id}/approve/` acts on `/wands/requests/{id}/`)."""
    candidates = [request.path_info]
    if request.method == "POST":
        parent = request.path_info.rstrip("/").rsplit("/", 1)[0] + "/"
        candidates.append(parent)
    for path in candidates:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if _single_object_route(match, path) and _has_get(match):
            return path
        if request.method != "POST":
            return None
    return None


def current_etag(request, path: str) -> str | None:
    """The ETag the caller's GET of `path` would answer with now, or None when that GET is not a 200 (not allowed,
    not found): then the write answers for itself."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    get = copy.copy(request)
    get.method = "GET"
    get.path = request.path[: len(request.path) - len(request.path_info)] + path
    get.path_info = path
    get.GET = QueryDict()
    get.META = {key: value for key, value in request.META.items() if not key.startswith("HTTP_IF_")}
    get.META.update(REQUEST_METHOD="GET", QUERY_STRING="", HTTP_ACCEPT="application/json")
    get.precondition_check = True  # read by views whose GET has a side effect (a pupil record's access log)
    get.resolver_match = match
    response = match.func(get, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    if response.status_code != 200 or getattr(response, "streaming", False):
        return None
    return response.get("ETag") or etag_of(response.content)


def is_precondition_check(request) -> bool:
    """True for the GET run to find an object's current ETag (no one is shown anything: log no access)."""
    return getattr(getattr(request, "_request", request), "precondition_check", False)


def _csrf_refused(request) -> bool:
    """A session request that DRF will refuse for its missing CSRF token: the view answers it (403), not If-Match."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization or getattr(request, "_force_auth_user", None) is not None:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is not None


def _may_be_checked(request) -> bool:
    """A write that process_view may check against If-Match (it decides once the view is known)."""
    if getattr(request, "precondition_check", False) or not is_api_path(request):
        return False
    return request.method in ("PATCH", "PUT") or (
        request.method in ("POST", "DELETE") and bool(request.META.get("HTTP_IF_MATCH"))
    )


def _take_turns(path: str) -> None:
    """Until this transaction ends, no other checked write to `path` gets past its check (PostgreSQL; SQLite runs one
    writer at a time anyway)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        key = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class ApiConcurrencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _may_be_checked(request):
            with transaction.atomic():  # the If-Match check (process_view) and the write it guards
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if not is_api_path(request) or getattr(request, "precondition_check", False):
            return response
        limits = getattr(request, "ratelimit", None)
        if limits is not None:
            limit, remaining, reset = limits
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(max(remaining, 0))
            response["RateLimit-Reset"] = str(max(int(reset), 0))
        checked = getattr(request, "precondition_object", None)
        if checked and 200 <= response.status_code < 300 and not response.has_header("ETag"):
            etag = current_etag(request, checked)
            if etag:
                response["ETag"] = etag
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            return self._conditional_get(request, response)
        return response

    @staticmethod
    def _conditional_get(request, response):
        if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("application/json"):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = etag_of(response.content)
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
        if if_none_match and (if_none_match.strip() == "*" or response["ETag"] in if_none_match.split(", ")):
            not_modified = HttpResponseNotModified()
            for name in ("ETag", "Cache-Control", "Vary", "Access-Control-Allow-Origin"):
                if response.has_header(name):
                    not_modified[name] = response[name]
            return not_modified
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_api_path(request) or request.method not in ("PATCH", "PUT", "POST", "DELETE"):
            return None
        if not _has_method(view_func, request.method.lower()):
            return None  # the view answers 405 itself
        required = request.method in ("PATCH", "PUT")
        if_match = request.META.get("HTTP_IF_MATCH", "")
        if not if_match and not required:
            return None
        path = object_path_for(request)
        if path is None or _csrf_refused(request):
            return None
        _take_turns(path)
        etag = current_etag(request, path)
        if etag is None:
            return None
        if not if_match:
            return problem_response(
                request,
                428,
                code="precondition_required",
                detail=(
                    "Send If-Match with the ETag of the object you read (GET it first), so that a change made since "
                    "is not overwritten."
                ),
            )
        if not _matches(if_match, etag):
            response = problem_response(
                request,
                412,
                code="precondition_failed",
                detail="The object has changed since you read it (If-Match does not match its ETag): GET it again.",
            )
            response["ETag"] = etag
            return response
        request.precondition_object = path
        return None
