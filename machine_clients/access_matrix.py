"""Access rows of the machine clients' pages and API (programme admins only) and the OAuth token endpoint."""

from core.access import AccessRow

SIGN_IN = 302
ROWS = [
    AccessRow("machine_clients:list", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow("machine_clients:register", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow(
        "machine_clients:detail",
        {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200},
        kwargs="machine_clients.client_pk",
    ),
    AccessRow(
        "machine_clients:revoke",
        {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200},
        kwargs="machine_clients.client_pk",
    ),
    AccessRow("api-clients-api:list", {"anonymous": 401, "default": 403, "programme_admin": 200}),
    AccessRow(
        "api-clients-api:detail",
        {"anonymous": 401, "default": 403, "programme_admin": 200},
        kwargs="machine_clients.client_pk",
    ),
    AccessRow(
        "api-clients-api:revoke",
        {"anonymous": 401, "default": 403, "programme_admin": 405},
        kwargs="machine_clients.client_pk",
        notes="POST only",
    ),
    AccessRow("oauth-token", {"default": 405}, notes="POST only, client credentials (RFC 6749)"),
]
