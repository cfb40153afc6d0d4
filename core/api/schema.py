"""OpenAPI schema post-processing: what drf-spectacular's defaults get wrong for generated clients."""

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
