from core.access import AccessRow

ROWS = [
    AccessRow("schools:list", {"default": 200}),
]
