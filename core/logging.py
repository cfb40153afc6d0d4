"""Logs as one JSON object per line, with the request id, and without raw paths, bodies or other personal data."""

import json
import logging
from datetime import UTC, datetime

from django.http import HttpRequest

from .request_context import current_request_id

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
# Extras that are objects, not data: the request (its repr is the raw path) and the runserver socket.
_DROPPED_EXTRAS = {"request", "server_time"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else "[unmatched path]"


def _message(record: logging.LogRecord) -> str:
    """The message, with the request's raw path (Django's "Not Found: /schools/123456") replaced by its route."""
    request = getattr(record, "request", None)
    if not isinstance(request, HttpRequest) or not isinstance(record.args, tuple) or not record.args:
        return record.getMessage()
    raw_forms = {request.path, request.path.encode("unicode_escape").decode("ascii"), request.get_full_path()}
    args = tuple(_route(request) if isinstance(arg, str) and arg in raw_forms else arg for arg in record.args)
    try:
        return str(record.msg) % args
    except (TypeError, ValueError):
        return str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only fields passed in `extra` are added, so nothing personal leaks by accident."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": getattr(record, "request_id", ""),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _DROPPED_EXTRAS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)
