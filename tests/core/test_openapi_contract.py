"""The published OpenAPI schema is a contract a generated client can use: it validates, each request body has one
content type (JSON, or multipart where a file is uploaded), PATCH schemas carry no defaults, nullable references are
expressed so that strict validators accept null, and the API takes what the schema says (and nothing else)."""

import json

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

UPLOADS = {
    "/api/v1/officers/officers/import/",
    "/api/v1/wands/dispatch-csv/",
    "/api/v1/wands/existing-deliveries/",
    "/api/v1/stepping-stones/cohorts/{year}/import/",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from django.test import Client

        return yaml.safe_load(Client().get("/api/schema/").content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_schema_validates_as_yaml_and_as_json(client, schema):
    validate(schema)
    as_json = client.get("/api/schema/?format=json")
    assert as_json.status_code == 200
    validate(json.loads(as_json.content))
    assert schema["openapi"].startswith("3.1")


def test_each_request_body_has_one_content_type_json_unless_a_file_is_uploaded(schema):
    bodies = {}
    for path, method, operation in _operations(schema):
        if "requestBody" in operation:
            bodies[(path, method)] = sorted(operation["requestBody"]["content"])
    assert bodies, "no operation with a request body: the schema is not the one expected"
    for (path, method), types in bodies.items():
        expected = ["multipart/form-data"] if path in UPLOADS else ["application/json"]
        assert types == expected, f"{method.upper()} {path}: {types}"
    uploads_found = {path for (path, _), types in bodies.items() if types == ["multipart/form-data"]}
    assert uploads_found == UPLOADS


def test_patch_schemas_have_no_defaults(schema):
    patched = {name: c for name, c in schema["components"]["schemas"].items() if name.startswith("Patched")}
    assert patched
    for name, component in patched.items():
        for field, prop in component.get("properties", {}).items():
            assert "default" not in prop, f"{name}.{field} has a default a generated client would send"


def test_no_property_default_contradicts_its_own_constraints(schema):
    """The officer create schema once had work_email `default: ""` with `format: email` and `minLength: 1`."""
    for name, component in schema["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            if prop.get("default") == "":
                assert prop.get("minLength", 0) == 0 and "format" not in prop, f"{name}.{field}"


def test_nullable_references_admit_null(schema):
    bcu = schema["components"]["schemas"]["SchoolList"]["properties"]["bcu"]
    assert {"type": "null"} in bcu["oneOf"]
    assert any("$ref" in option for option in bcu["oneOf"])
    for name, component in schema["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            assert not ("allOf" in prop and prop.get("nullable")), f"{name}.{field}: allOf + nullable"
