"""OpenAPI schema post-processing: what drf-spectacular's defaults get wrong for generated clients."""


def patch_schemas_without_defaults(result, generator, request, public):
    """A `Patched*` request schema carries no `default`: a generated client would send every defaulted field with each
    PATCH and so overwrite what the caller did not mean to change (a PATCH of capacity reset rank and role type)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Patched"):
            for prop in component.get("properties", {}).values():
                prop.pop("default", None)
    return result
