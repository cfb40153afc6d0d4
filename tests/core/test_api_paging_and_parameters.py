"""Paging and query parameters as a contract (docs/api.md, "Paging"), over every list operation of the published
schema: an unknown query parameter is 400 naming it; a bad page, cursor or page size is 400 naming the parameter
(never a 404, never a silent default); growing lists are paged (cursor or page numbers, as docs/api.md says) and the
only bare arrays are the fixed-size lists docs/api.md names."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator

from accounts import demo
from accounts.models import User

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
API_DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def _get_operations():
    for path, item in SCHEMA["paths"].items():
        if path.startswith("/api/v1/") and "get" in item:
            yield path, item["get"]


def _query_names(operation) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _response_schema(operation) -> dict:
    content = operation["responses"].get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        return SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _style(operation) -> str | None:
    names = _query_names(operation)
    return "cursor" if "cursor" in names else "page" if "page" in names else None


GET_OPERATIONS = sorted(_get_operations())
PAGED = [(path, operation) for path, operation in GET_OPERATIONS if _style(operation)]
ARRAYS = sorted(path for path, operation in GET_OPERATIONS if _response_schema(operation).get("type") == "array")


def _filled(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _doc_list(heading: str) -> set[str]:
    """The operation paths listed (as `code`) under a bold lead-in of docs/api.md's Paging section."""
    section = API_DOC.split("## Paging", 1)[1].split("\n## ", 1)[0]
    paragraph = section.split(f"**{heading}**", 1)[1].split("\n- **", 1)[0]
    return {f"/api/v1/{found}" for found in re.findall(r"`/api/v1/([^`]+)`", paragraph)}


@pytest.mark.parametrize("path", [path for path, _ in GET_OPERATIONS])
def test_an_unknown_query_parameter_is_400_naming_it(client, path):
    response = client.get(_filled(path), {"no_such_filter": "1"})
    assert response.status_code == 400, (path, response.status_code, response.content[:200])
    assert "no_such_filter" in response.content.decode()


def test_documented_parameters_are_accepted_and_format_everywhere(client):
    response = client.get("/api/v1/schools/", {"phase": "secondary", "page_size": "5", "format": "json"})
    assert response.status_code == 200
    typo = client.get("/api/v1/schools/", {"phse": "secondary"})
    assert typo.status_code == 400 and "phse" in typo.content.decode()


def test_every_list_that_grows_is_paged_and_the_bare_arrays_are_the_documented_fixed_lists():
    assert sorted(_doc_list("Not paged")) == ARRAYS, "a bare array that docs/api.md does not name as fixed-size"
    for path, operation in PAGED:
        properties = _response_schema(operation)["properties"]
        assert {"next", "previous", "results"} <= set(properties), path
        if _style(operation) == "page":
            assert "count" in properties, path
        else:
            assert "count" not in properties, path
        page_size = next(p for p in operation["parameters"] if p["name"] == "page_size")
        assert page_size["schema"]["maximum"] == 200, path
    assert {p for p, o in PAGED if _style(o) == "page"} == _doc_list("Page numbers")
    assert {p for p, o in PAGED if _style(o) == "cursor"} == _doc_list("Cursor")


@pytest.fixture
def demo_data():
    with override_settings(DEBUG=True):
        call_command("seed_demo", schools=120, stdout=io.StringIO())


def _entitled_client(path: str) -> tuple[Client, str] | None:
    """A demo user's client and the filled path for which the list answers 200."""
    from stepping_stones.models import Referral

    urn = demo.demo_school().urn
    reference = Referral.objects.order_by("pk").values_list("reference", flat=True).first()
    filled = path.replace("{urn}", str(urn)).replace("{reference}", str(reference))
    for local, _name, _role in demo.DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(email=demo.demo_email(local)))
        if client.get(filled).status_code == 200:
            return client, filled
    return None


def test_a_bad_page_cursor_or_page_size_is_400_naming_it_on_every_paged_list(demo_data):
    unreached, failures = [], []
    for path, operation in PAGED:
        found = _entitled_client(path)
        if found is None:
            unreached.append(path)
            continue
        client, filled = found
        bad = [
            ({"page_size": "0"}, "page_size"),
            ({"page_size": "201"}, "page_size"),
            ({"page_size": "x"}, "page_size"),
        ]
        if _style(operation) == "cursor":
            bad += [({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "cD0yMDI2"}, "cursor")]
        else:
            bad += [({"page": "999999"}, "page"), ({"page": "x"}, "page"), ({"page": "0"}, "page")]
        for query, name in bad:
            response = client.get(filled, query)
            if response.status_code != 400 or name not in response.content.decode():
                failures.append(f"{path} {query}: {response.status_code} {response.content[:120]!r}")
        good = client.get(filled, {"page_size": "1"})
        if good.status_code != 200 or len(good.json()["results"]) > 1:
            failures.append(f"{path} page_size=1: {good.status_code}")
    assert not unreached, f"no demo user could list: {unreached}"
    assert not failures, "\n".join(failures)


def test_cursor_links_walk_a_growing_list_without_repeats(demo_data):
    client, filled = _entitled_client("/api/v1/wands/requests/")
    seen, url, pages = [], f"{filled}?page_size=2", 0
    while url and pages < 50:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages > 1 and len(seen) == len(set(seen))
