from core.access import AccessRow

ANON = {"anonymous": 302}
# The audit is searched by the VRU roles; everyone else is refused (403), the API answers 403 to them too.
AUDIT = {"programme_admin": 200, "stepping_stones_coordinator": 200, "toolkit_editor": 200}

ROWS = [
    AccessRow("healthz", {"default": 200}),
    AccessRow("favicon", {"default": 200}),
    AccessRow("api-schema", {"default": 200}),
    AccessRow("api-docs", {"default": 200}),
    AccessRow("audit:search", {**ANON, **AUDIT, "default": 403}),
    AccessRow("audit:export", {**ANON, **AUDIT, "default": 403}),
    AccessRow("audit-api:list", {"anonymous": 401, **AUDIT, "default": 403}),
]
