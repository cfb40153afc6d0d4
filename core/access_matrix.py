from core.access import AccessRow

ROWS = [
    AccessRow("healthz", {"default": 200}),
    AccessRow("favicon", {"default": 200}),
    AccessRow("api-schema", {"default": 200}),
    AccessRow("api-docs", {"default": 200}),
]
