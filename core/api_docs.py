"""The API documentation page: the OpenAPI schema's operations listed on a GOV.UK page.

Swagger UI and Redoc inject inline styles (blocked by the site's Content Security Policy) and fail axe (contrast,
nested interactive controls, target size, no `lang`); a server-rendered page from the same schema passes both with a
template and this view. The schema itself stays at /api/schema/ for tools (decision in docs/decisions.md).
"""

from functools import lru_cache

from django.shortcuts import render
from django.views.decorators.http import require_GET

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def api_operations() -> tuple[dict, list[dict]]:
    """The schema's info and its operations grouped by resource (their tag, e.g. "wands requests"), in path order.

    Built once per process: the schema only changes with the code."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or [_group(path)])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary") or _first_line(operation.get("description", "")),
                    "id": operation.get("operationId", ""),
                }
            )
    return schema.get("info", {}), [{"tag": tag, "operations": groups[tag]} for tag in sorted(groups)]


def _group(path: str) -> str:
    """`/api/v1/wands/requests/` belongs to "wands": the first part of the path after the version."""
    parts = [part for part in path.split("/") if part]
    rest = parts[2:] if parts[:2] == ["api", "v1"] else parts[1:]
    return (rest[0] if rest else "api").replace("-", " ")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


@require_GET
def api_docs(request):
    info, groups = api_operations()
    return render(
        request,
        "core/api_docs.html",
        {"info": info, "groups": groups, "count": sum(len(group["operations"]) for group in groups)},
    )
