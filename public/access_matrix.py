from core.access import AccessRow

ROWS = [
    AccessRow("public:home", {"default": 200}),
    AccessRow("public:privacy", {"default": 200}),
    AccessRow("public:cookies", {"default": 200}),
    AccessRow("public:accessibility", {"default": 200}),
]
