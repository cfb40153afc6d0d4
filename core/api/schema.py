"""OpenAPI schema post-processing: what drf-spectacular's defaults get wrong for generated clients."""

from copy import deepcopy

from drf_spectacular.openapi import AutoSchema
from rest_framework.pagination import CursorPagination


def patch_schemas_without_defaults(result, generator, request, public):
    """A `Patched*` request schema carries no `default`: a generated client would send every defaulted field with each
    PATCH and so overwrite what the caller did not mean to change (a PATCH of capacity reset rank and role type)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Patched"):
            for prop in component.get("properties", {}).values():
                prop.pop("default", None)
    return result


PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": (
        "RFC 9457 problem details, the one error shape of the API. `code` is stable (docs/api.md lists the values); "
        "`errors` names each field with its messages (nested fields dotted: `rows.2.urn`)."
    ),
    "properties": {
        "type": {"type": "string", "description": "`about:blank`: what went wrong is `code`."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "instance": {"type": "string", "description": "The path of the request."},
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. `invalid`, `not_found`."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Field errors: each field's messages (`non_field_errors` for the request as a whole).",
        },
        "request_id": {"type": "string", "description": "The id in the logs (also the X-Request-ID header)."},
    },
    "required": ["type", "title", "status", "detail", "code"],
}
_DESCRIPTIONS = {
    "400": "Bad input: problem details, `errors` names each field",
    "401": "No valid credentials (problem details)",
    "403": "Not allowed: your roles, two-factor, viewing as someone, CSRF (problem details)",
    "404": "Not found, or outside what you may see (problem details)",
    "409": "Clashes with the current state (problem details)",
    "412": "If-Match does not match the current ETag: someone changed it; GET it again (problem details)",
    "415": "The body is not JSON (problem details)",
    "422": "The Idempotency-Key was used before with a different body (problem details)",
    "428": "If-Match is missing (problem details)",
    "429": "Too many requests: wait Retry-After seconds (problem details)",
}
_INT = {"schema": {"type": "integer"}}
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {**_INT, "description": "Requests allowed in the window."},
    "RateLimit-Remaining": {**_INT, "description": "Requests left in the window."},
    "RateLimit-Reset": {**_INT, "description": "Seconds until the window frees a request."},
}
RETRY_AFTER_HEADER = {"Retry-After": {**_INT, "description": "Seconds to wait before trying again."}}
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Send it back in If-Match to change the object."}}


def _if_match(required: bool) -> dict:
    return {
        "name": "If-Match",
        "in": "header",
        "required": required,
        "schema": {"type": "string"},
        "description": (
            "The ETag of the object from your GET of it. "
            + ("Required: 428 without it; " if required else "Optional; ")
            + "412 when the object changed since."
        ),
    }


def _throttled_operations(generator) -> set[tuple[str, str]]:
    throttled = set()
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        if view.get_throttles():
            throttled.add((generator.coerce_path(path, method, view), method.lower()))
    return throttled


def _object_path(paths: dict, path: str, method: str) -> str | None:
    """The single object (a path ending in a parameter, with a GET) a write acts on: core.api.middleware's rule."""
    candidates = [path] + ([path.rstrip("/").rsplit("/", 1)[0] + "/"] if method == "post" else [])
    for candidate in candidates:
        if candidate.rstrip("/").endswith("}") and "get" in paths.get(candidate, {}):
            return candidate
        if method != "post":
            return None
    return None


def document_errors(result, generator, request, public):
    """Every operation documents its errors as problem details (a `ProblemDetails` component): 400, 401, 403 on all;
    404 where the path names an object; 409 on writes; 415 where there is a body; 412/428 and the If-Match header on
    writes to one object; 422 with the Idempotency-Key header; 429, Retry-After and the RateLimit-* headers where
    throttled; ETag on GET answers. The errors an operation declared itself keep their status and description, with
    this schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ProblemDetails"] = PROBLEM_SCHEMA
    problem_content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
    throttled = _throttled_operations(generator)
    paths = result.get("paths", {})
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            header_names = {p.get("name") for p in parameters if p.get("in") == "header"}
            statuses = {"400", "401", "403"}
            if "{" in path:
                statuses.add("404")
            if "requestBody" in operation:
                statuses.add("415")
            if method != "get":  # a write can clash with the current state (already decided, already taken)
                statuses.add("409")
            if "Idempotency-Key" in header_names:
                statuses.add("422")
            if method != "get" and _object_path(paths, path, method) and "If-Match" not in header_names:
                required = method in {"put", "patch"}
                parameters.append(_if_match(required))
                statuses.update({"412", "428"} if required else {"412"})
            if (path, method) in throttled:
                statuses.add("429")
            for status in sorted(statuses | {code for code in responses if code[0] in "45"}):
                response = responses.setdefault(status, {"description": _DESCRIPTIONS.get(status, "Problem details")})
                response["content"] = deepcopy(problem_content)
            if "429" in responses:
                responses["429"]["headers"] = deepcopy({**RETRY_AFTER_HEADER, **RATE_LIMIT_HEADERS})
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                if (path, method) in throttled:
                    response.setdefault("headers", {}).update(deepcopy(RATE_LIMIT_HEADERS))
                if method == "get" and "application/json" in response.get("content", {}):
                    response.setdefault("headers", {}).update(deepcopy(ETAG_HEADER))
            operation["responses"] = dict(sorted(responses.items()))
    return result


# --- resource tags, summaries and parameter descriptions --------------------------------------------------------------

# Apps whose API has several resources: the tag is "app resource" (e.g. "wands requests"), so /api/docs/ and a
# generated client group operations by resource. Elsewhere the first path segment is the resource.
NESTED_APPS = {"wands", "officers", "stepping-stones", "toolkit", "insights", "open"}

PATH_PARAMETERS = {
    "urn": "The school's URN (unique reference number in Get Information about Schools).",
    "reference": "The referral's reference, e.g. SS-2026-0001.",
    "year": "The cohort's transition year: the September its pupils start Year 7.",
    "token_id": "The API token's id.",
    "dataset": "Which open figures, e.g. `wands-take-up`.",
    "version_id": "The id of the file's version.",
    "slug": "The resource's slug.",
    "user_id": "The user's id.",
    "kind": "Which kind of role the review is about.",
}


def resource_tag(path: str) -> str:
    """The resource an /api/v1/ path belongs to: `schools`, `wands requests`, `stepping-stones referrals`..."""
    segments = [s for s in path.split("/api/v1/", 1)[-1].split("/") if s and not s.startswith("{")]
    if not segments:
        return "api"
    first = segments[0]
    if first in NESTED_APPS and len(segments) > 1 and segments[1] != first and "." not in segments[1]:
        return f"{first} {segments[1]}"
    return first


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with operations tagged per resource (an explicit `tags=` still wins) and the two
    paging styles as distinct components (`Paginated<X>List` with a `count`, `CursorPaginated<X>List` without)."""

    def get_tags(self) -> list[str]:
        return [resource_tag(self.path)] if self.path.startswith("/api/v1/") else super().get_tags()

    def get_paginated_name(self, serializer_name: str) -> str:
        if isinstance(self._get_paginator(), CursorPagination):
            return f"CursorPaginated{serializer_name}List"
        return super().get_paginated_name(serializer_name)


_VERBS = {"get": "Read", "post": "Do", "put": "Replace", "patch": "Change", "delete": "Delete"}


def summaries_and_parameter_descriptions(result, generator, request, public):
    """Every operation has a summary (the first sentence of its description when it has none) and every path
    parameter a description."""
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _VERBS:
                continue
            if not operation.get("summary"):
                description = (operation.get("description") or "").strip()
                first = description.split("\n\n", 1)[0].replace("\n", " ")
                first = first.split(". ", 1)[0].rstrip(".")
                operation["summary"] = first or f"{_VERBS[method]} {resource_tag(path)}"
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    continue
                name = parameter["name"]
                if name in PATH_PARAMETERS:
                    parameter["description"] = PATH_PARAMETERS[name]
                elif name == "id":
                    parameter["description"] = f"The id of the {resource_tag(path).rsplit(' ', 1)[-1]} item."
    return result
