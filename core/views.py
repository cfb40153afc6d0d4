import logging
import sys
import time
import uuid

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.utils import timezone
from django.views import csrf, defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .api.problems import is_api_path, problem_response
from .outage import log_outage
from .request_context import current_request_id
from .unavailable import is_unavailable_error, unavailable_response

logger = logging.getLogger(__name__)

FAVICON = "images/favicon.ico"


WORKER_STALE_SECONDS = 60  # three missed heartbeats (core.worker writes one every 10 s)
STORAGE_CHECK_SECONDS = 10  # a storage write at most this often per process, however often the probe comes
_storage_checked = {"at": -STORAGE_CHECK_SECONDS, "result": "ok"}


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        log_outage("healthz:database", "health check: database unavailable", error=error)
        return "error"


def _check_cache() -> str:
    try:
        cache.set("healthz", "ok", 10)
        return "ok" if cache.get("healthz") == "ok" else "error"
    except Exception as error:  # noqa: BLE001
        log_outage("healthz:cache", "health check: cache unavailable", error=error)
        return "error"


def _check_storage() -> str:
    """Write, read back and delete a small file in the default storage (uploads need it)."""
    now = time.monotonic()
    if now - _storage_checked["at"] < STORAGE_CHECK_SECONDS:
        return _storage_checked["result"]
    result = "error"
    try:
        name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        try:
            with default_storage.open(name) as stored:
                result = "ok" if stored.read() == b"ok" else "error"
        finally:
            default_storage.delete(name)
    except Exception as error:  # noqa: BLE001 - read-only volume, full disk, bucket refusing writes
        log_outage("healthz:storage", "health check: storage refuses writes", error=error)
        result = "error"
    _storage_checked.update(at=now, result=result)
    return result


def _check_worker() -> str:
    """ "ok" when a background worker wrote its heartbeat in the last minute, "stale" when the latest is older,
    "none" when no worker ever ran. Emails wait in the queue while it is not "ok"."""
    from .models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception:  # noqa: BLE001 - the database check reports this
        return "error"
    if latest is None:
        return "none"
    return "ok" if (timezone.now() - latest).total_seconds() <= WORKER_STALE_SECONDS else "stale"


@never_cache
@require_GET
def healthz(request):
    """Readiness: 200 while the database answers, 503 when it does not (nothing works without it). The cache, file
    storage and the background worker are reported too: when one fails the status is "degraded" and the answer stays
    200, since the service keeps working without them (cache misses; uploads answer 503; emails wait in the queue)."""
    checks = {"database": _check_database()}
    checks["cache"] = _check_cache()
    checks["storage"] = _check_storage()
    checks["worker"] = _check_worker() if checks["database"] == "ok" else "error"
    if checks["database"] != "ok":
        status = "error"
    elif all(value == "ok" for value in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **checks}, status=503 if status == "error" else 200)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """The 500 page, with the request id a person can quote to support. No request context: it may be what failed.
    When the database is what failed, the 503 "service unavailable" page (problem details under /api/) instead."""
    request_id = getattr(request, "request_id", "") or current_request_id()
    if is_unavailable_error(sys.exc_info()[1]):
        return unavailable_response(request, request_id=request_id)
    if is_api_path(request):
        return problem_response(
            request,
            500,
            code="server_error",
            detail="Something went wrong on our side. Quote the request id if you contact support.",
            request_id=request_id or None,
        )
    try:
        template = loader.get_template(template_name)
    except TemplateDoesNotExist:
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
    return HttpResponseServerError(template.render({"request_id": request_id}))


@require_GET
def favicon(request):
    """The service's own icon at /favicon.ico, where browsers ask for it (the pages also link the SVG version)."""
    path = finders.find(FAVICON)  # the source file; the collected copy where the source tree is not shipped
    with open(path, "rb") if path else staticfiles_storage.open(FAVICON) as icon:
        response = HttpResponse(icon.read(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Under /api/ every error is problem details (core.api.problems), never an HTML page: Django's own error handlers
# for the answers it writes itself (an unknown /api/ path, a malformed request, a CSRF failure).


@requires_csrf_token
def page_not_found(request, exception):
    if is_api_path(request):
        return problem_response(request, 404, code="not_found", detail="There is nothing at this address.")
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def bad_request(request, exception):
    if is_api_path(request):
        return problem_response(request, 400, code="bad_request", detail="The request could not be understood.")
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception):
    if is_api_path(request):
        return problem_response(request, 403, code="permission_denied", detail="You may not do this.")
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    if is_api_path(request):
        return problem_response(
            request, 403, code="csrf_failed", detail=f"CSRF Failed: {reason}. Send the CSRF token with a session."
        )
    return csrf.csrf_failure(request, reason=reason)
