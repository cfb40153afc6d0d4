import logging

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .request_context import current_request_id

logger = logging.getLogger(__name__)

FAVICON = "images/favicon.ico"


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database answers and the cache round-trips. 503 when either fails."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        logger.exception("health check: database")
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error"
    except Exception:  # noqa: BLE001
        logger.exception("health check: cache")
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """The 500 page, with the request id a person can quote to support. No request context: it may be what failed."""
    try:
        template = loader.get_template(template_name)
    except TemplateDoesNotExist:
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
    request_id = getattr(request, "request_id", "") or current_request_id()
    return HttpResponseServerError(template.render({"request_id": request_id}))


@require_GET
def favicon(request):
    """The service's own icon at /favicon.ico, where browsers ask for it (the pages also link the SVG version)."""
    path = finders.find(FAVICON)  # the source file; the collected copy where the source tree is not shipped
    with open(path, "rb") if path else staticfiles_storage.open(FAVICON) as icon:
        response = HttpResponse(icon.read(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
