"""One name per thing across the API (docs/api.md, Conventions): a borough is `la_code`, `la_name` and `gss_code`
wherever it appears; a BCU is written by its slug; statuses and kinds are enums; percentages are numbers; operations
are tagged by resource with summaries, and path parameters are described."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]


def _properties():
    for name, component in COMPONENTS.items():
        for field, prop in component.get("properties", {}).items():
            yield name, field, prop


def test_a_borough_is_la_code_la_name_and_gss_code_wherever_it_appears():
    with_borough = set()
    for name, field, _prop in _properties():
        assert field != "borough", f"{name}.{field}: a borough is `la_code`/`la_name`/`gss_code`"
        # (a write names the borough by `la_code` alone: request bodies are `<X>Request`; WandRequest is an answer)
        if field == "la_code" and name not in {"OrganisationRegisterRequest", "MachineClientRegisterRequest"}:
            with_borough.add(name)
    assert {
        "WandRequest",
        "LocalAuthoritySummary",
        "LocalAuthority",
        "OfficersQueueSchool",
        "OpenWandsBorough",
    } <= with_borough
    for name in with_borough:
        assert {"la_name", "gss_code"} <= set(COMPONENTS[name]["properties"]), name


def test_bcus_are_written_by_slug_never_by_a_hidden_integer():
    for name, field, prop in _properties():
        assert field not in {"bcu_id", "bcu_ids"}, f"{name}.{field}"
        if field == "bcu" and name.endswith("Request"):
            assert prop["type"] == "string", name


def test_statuses_and_kinds_are_enums_and_percentages_numbers():
    for name, field, prop in _properties():
        # (ProblemDetails.status is an HTTP status code, not a workflow status)
        if field in {"status", "state", "kind", "request_kind"} and name not in {"LinkedSchool", "ProblemDetails"}:
            options = prop.get("oneOf") or prop.get("allOf") or [prop]
            assert any("$ref" in option or "enum" in option for option in options), f"{name}.{field}: not an enum"
        if "percent" in field and (name, field) != ("InsightsMap", "percent"):  # (that one says "is a percentage")
            types = prop.get("type")
            types = types if isinstance(types, list) else [types]
            assert "number" in types, f"{name}.{field}: a percentage is a number"


def test_operations_are_tagged_by_resource_with_summaries_and_described_path_parameters():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path}"
            assert operation["tags"] and operation["tags"] != ["v1"], f"{method} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter.get("description"), f"{method} {path} {parameter['name']}"
    tags = {tag for item in SCHEMA["paths"].values() for op in item.values() for tag in op["tags"]}
    assert {"schools", "wands requests", "stepping-stones referrals", "officers queue", "open"} <= tags


def test_gss_codes_in_the_answers(client):
    from tests.accounts.factories import SchoolFactory, london_authority

    SchoolFactory(local_authority=london_authority(204))
    school = client.get("/api/v1/schools/").json()["results"][0]
    assert school["local_authority"] == {"la_code": 204, "la_name": "Hackney", "gss_code": "E09000012"}
    figures = client.get("/api/v1/open/figures/").json()
    hackney = next(row for row in figures["wands"]["boroughs"] if row["la_code"] == 204)
    assert hackney["gss_code"] == "E09000012" and hackney["la_name"] == "Hackney"
    police = next(row for row in figures["police_contacts"]["boroughs"] if row["la_code"] == 201)
    assert police["gss_code"] == "E09000001" and police["bcu"] is None
    csv_text = b"".join(client.get("/api/v1/open/figures/wands-take-up.csv").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("la_code,la_name,gss_code,")
    assert "204,Hackney,E09000012," in csv_text
