"""The OpenAPI description of the Idempotency-Key header, for create endpoints that use core.idempotency."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 64 characters, unique per request you mean to make. Sending it again with the same body answers "
        "exactly as the first time (with `Idempotent-Replayed: true`) and creates nothing; with a different body, 422."
    ),
)
