import logging
import re
import time
import uuid

from .request_context import request_id_var

logger = logging.getLogger("portal.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the proxy) and log one line per request.

    The log line carries method, route pattern (never the raw path: it could hold identifiers), status and duration.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.route if match else "",
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` (settings.PERMISSIONS_POLICY): the browser features the portal never uses are denied
    to its pages and to anything they might embed, so an injected script could not reach a camera or a payment sheet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = permissions_policy_header()
        if header:
            response.headers.setdefault("Permissions-Policy", header)
        return response


def permissions_policy_header() -> str:
    from django.conf import settings

    policy = getattr(settings, "PERMISSIONS_POLICY", {})
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())
