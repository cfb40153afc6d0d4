"""The access log of machine clients: one row per call an OAuth client makes, written after the response."""

import logging

from django.db import DatabaseError

from core.request_context import current_request_id
from machine_clients import services

logger = logging.getLogger(__name__)


class MachineClientCallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        call = getattr(request, "machine_client_call", None)
        if call is not None:
            try:
                services.machine_client_call_log(
                    client_id=call["client_id"],
                    method=request.method,
                    path=request.path,
                    status_code=response.status_code,
                    refused=call.get("refused", ""),
                    request_id=current_request_id(),
                )
            except DatabaseError:
                # The answer has been made: a log row that cannot be written is reported, not turned into an error.
                logger.warning("machine client call not logged", exc_info=True)
        return response
