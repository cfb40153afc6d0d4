import pytest
import yaml
from django.urls import reverse

from core.api.throttling import PublicReadThrottle
from schools.models import School
from tests.accounts.factories import UserFactory
from tests.schools.factories import SchoolFactory, create_schools, local_authority

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/schools/"
CAMDEN, HACKNEY, CITY_OF_LONDON = 202, 204, 201
UNKNOWN_PARAMETER = (
    "Unknown query parameter. This operation accepts: bcu, include_closed, la_code, page, page_size, phase, "
    "pupil_referral_unit, q, special, status."
)


def result_urns(response) -> list[int]:
    return [row["urn"] for row in response.json()["results"]]


def test_url_names():
    assert reverse("api-schools-list") == LIST_URL
    assert reverse("api-schools-detail", kwargs={"urn": 123456}) == "/api/v1/schools/123456/"
    assert reverse("api-local-authorities-list") == "/api/v1/local-authorities/"
    assert reverse("api-bcus-list") == "/api/v1/bcus/"


def test_anonymous_list_is_paginated_and_leaves_out_closed_schools(client):
    school = SchoolFactory(name="Mossbourne Community Academy", secondary=True, postcode="E5 8JY")
    SchoolFactory(closed=True)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    assert body["results"] == [
        {
            "urn": school.urn,
            "name": "Mossbourne Community Academy",
            "type_name": "Academy converter",
            "phase": "secondary",
            "status": "open",
            "postcode": "E5 8JY",
            "local_authority": {"la_code": HACKNEY, "la_name": "Hackney", "gss_code": "E09000012"},
            "bcu": {"slug": "central-east", "name": "Central East"},
        }
    ]


def test_city_of_london_school_has_no_bcu(client):
    SchoolFactory(local_authority=local_authority(CITY_OF_LONDON))
    assert client.get(LIST_URL).json()["results"][0]["bcu"] is None


def test_filters_are_the_pages_filters(client):
    camden_primary = SchoolFactory(local_authority=local_authority(CAMDEN), name="Camden Primary")
    camden_secondary = SchoolFactory(local_authority=local_authority(CAMDEN), secondary=True, name="Camden Sec")
    hackney_pru = SchoolFactory(pupil_referral_unit=True, name="Hackney PRU")
    closed = SchoolFactory(closed=True, name="Camden Closed", local_authority=local_authority(CAMDEN))

    assert result_urns(client.get(LIST_URL, {"la_code": CAMDEN})) == [camden_primary.urn, camden_secondary.urn]
    assert result_urns(client.get(LIST_URL, {"bcu": "central-east"})) == [hackney_pru.urn]
    assert result_urns(client.get(LIST_URL, {"phase": ["secondary", "not_applicable"]})) == [
        camden_secondary.urn,
        hackney_pru.urn,
    ]
    assert result_urns(client.get(LIST_URL, {"pupil_referral_unit": "true"})) == [hackney_pru.urn]
    assert result_urns(client.get(LIST_URL, {"q": "camden", "include_closed": "true"})) == [
        closed.urn,
        camden_primary.urn,
        camden_secondary.urn,
    ]
    assert result_urns(client.get(LIST_URL, {"status": "closed"})) == [closed.urn]
    assert result_urns(client.get(LIST_URL, {"q": str(hackney_pru.urn)})) == [hackney_pru.urn]


def test_pagination_links_keep_filters(client):
    create_schools(120, local_authority=local_authority(CAMDEN))
    create_schools(3)

    first = client.get(LIST_URL, {"la_code": CAMDEN})
    body = first.json()
    assert body["count"] == 120
    assert len(body["results"]) == 50
    assert body["next"] == f"http://testserver/api/v1/schools/?la_code={CAMDEN}&page=2"

    last = client.get(LIST_URL, {"la_code": CAMDEN, "page": 3}).json()
    assert len(last["results"]) == 20
    assert last["next"] is None

    small = client.get(LIST_URL, {"page_size": 10}).json()
    assert len(small["results"]) == 10


def test_page_size_is_capped_at_the_documented_maximum(client):
    create_schools(250)
    assert len(client.get(LIST_URL, {"page_size": 200}).json()["results"]) == 200
    over = client.get(LIST_URL, {"page_size": 1000})  # refused, not silently cut to 200 (docs/api.md, Paging)
    assert over.status_code == 400 and "page_size" in over.json()["errors"]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"la_code": "999"}, {"la_code": ["Give a London borough's DfE LA code, for example 204 for Hackney"]}),
        ({"la_code": "abc"}, {"la_code": ["Give a London borough's DfE LA code, for example 204 for Hackney"]}),
        ({"borough": "204"}, {"borough": [UNKNOWN_PARAMETER]}),
        ({"bcu": "atlantis"}, {"bcu": ["Select a police command unit from the list"]}),
        ({"phase": "university"}, {"phase": ["Select phases from the list"]}),
        ({"status": "gone"}, {"status": ["Select statuses from the list"]}),
        ({"q": "x" * 101}, {"q": ["Search for 100 characters or fewer"]}),
        (
            {"bcu": "central-west", "la_code": HACKNEY},
            {"bcu": ["Hackney is not in Central West: choose a different borough or command unit"]},
        ),
        ({"q": "a\x00b"}, {"q": ["Null characters are not allowed."]}),
    ],
)
def test_bad_filters_are_400_with_field_errors(client, query, errors):
    response = client.get(LIST_URL, query)
    assert response.status_code == 400
    assert response.json()["errors"] == errors


def test_a_page_past_the_end_is_400_naming_the_page(client):
    SchoolFactory()
    response = client.get(LIST_URL, {"page": 2})
    assert response.status_code == 400 and "page" in str(response.json())


def test_detail_has_the_full_register_entry(client):
    school = SchoolFactory(
        closed=True, number_of_pupils=321, street="1 High St", town="London", postcode="E8 1AA", website=""
    )
    response = client.get(f"{LIST_URL}{school.urn}/")
    assert response.status_code == 200
    body = response.json()
    assert body["urn"] == school.urn
    assert body["status"] == "closed"
    assert body["is_open"] is False
    assert body["number_of_pupils"] == 321
    assert body["address_lines"] == ["1 High St", "London", "E8 1AA"]
    assert body["local_authority"] == {"la_code": HACKNEY, "la_name": "Hackney", "gss_code": "E09000012"}
    assert body["bcu"] == {"slug": "central-east", "name": "Central East"}


@pytest.mark.parametrize("urn", ["999999", "5", "123456789012345678901234567890"])
def test_unknown_urn_is_404(client, urn):
    response = client.get(f"{LIST_URL}{urn}/")
    assert response.status_code == 404
    assert (response.json()["detail"], response.json()["code"]) == ("No school with this URN", "not_found")


@pytest.mark.parametrize("urn", ["-1", "abc", "1e5"])
def test_a_urn_that_is_not_digits_is_404(client, urn):
    assert client.get(f"{LIST_URL}{urn}/").status_code == 404


def test_api_is_read_only(client, django_user_model):
    school = SchoolFactory()
    user = django_user_model.objects.create_user(email="writer@example.org", password="a-long-test-password")
    client.force_login(user)
    assert client.post(LIST_URL, {"urn": 123456}).status_code == 405
    assert client.patch(f"{LIST_URL}{school.urn}/", {"name": "X"}, content_type="application/json").status_code == 405
    assert client.delete(f"{LIST_URL}{school.urn}/").status_code == 405
    assert School.objects.get(urn=school.urn).name == school.name


def test_local_authorities_are_a_small_unpaginated_list(client):
    body = client.get("/api/v1/local-authorities/").json()
    assert len(body) == 33
    city = next(row for row in body if row["la_code"] == CITY_OF_LONDON)
    assert city == {"la_code": 201, "la_name": "City of London", "gss_code": "E09000001", "area": "inner", "bcu": None}
    hackney = next(row for row in body if row["la_code"] == HACKNEY)
    assert hackney["bcu"] == {"slug": "central-east", "name": "Central East"}


def test_bcus_list_their_boroughs(client):
    body = client.get("/api/v1/bcus/").json()
    assert len(body) == 12
    central_east = next(row for row in body if row["slug"] == "central-east")
    assert central_east == {
        "slug": "central-east",
        "name": "Central East",
        "local_authorities": [
            {"la_code": 204, "la_name": "Hackney", "gss_code": "E09000012"},
            {"la_code": 211, "la_name": "Tower Hamlets", "gss_code": "E09000030"},
        ],
    }


def test_schema_documents_the_endpoints_their_parameters_and_responses(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path in ["/api/v1/schools/", "/api/v1/schools/{urn}/", "/api/v1/local-authorities/", "/api/v1/bcus/"]:
        assert set(paths[path]) == {"get"}, path

    list_operation = paths["/api/v1/schools/"]["get"]
    parameters = {p["name"]: p for p in list_operation["parameters"]}
    assert {"q", "la_code", "bcu", "phase", "status", "include_closed", "pupil_referral_unit", "special"} <= set(
        parameters
    )
    assert {"page", "page_size"} <= set(parameters)
    assert parameters["phase"]["schema"]["type"] == "array"
    assert set(parameters["phase"]["schema"]["items"]["enum"]) == set(School.Phase.values)
    assert parameters["include_closed"]["schema"]["type"] == "boolean"
    assert parameters["q"]["description"]
    assert len(parameters["bcu"]["schema"]["enum"]) == 12
    (urn,) = paths["/api/v1/schools/{urn}/"]["get"]["parameters"]
    assert urn["schema"] == {"type": "integer", "minimum": 100000, "maximum": 999999}

    page_ref = list_operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page_schema = schema["components"]["schemas"][page_ref.rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(page_schema["properties"])
    detail_ref = paths["/api/v1/schools/{urn}/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    detail = schema["components"]["schemas"][detail_ref["$ref"].rsplit("/", 1)[1]]
    assert {"urn", "name", "local_authority", "bcu", "address_lines", "latitude"} <= set(detail["properties"])
    bad_filter = list_operation["responses"]["400"]["content"]["application/problem+json"]["schema"]
    assert bad_filter == {"$ref": "#/components/schemas/ProblemDetails"}  # field errors under `errors`
    assert "404" in paths["/api/v1/schools/{urn}/"]["get"]["responses"]
    for path in ["/api/v1/schools/", "/api/v1/schools/{urn}/", "/api/v1/local-authorities/", "/api/v1/bcus/"]:
        assert "429" in paths[path]["get"]["responses"], path


def test_anonymous_clients_are_throttled(client, monkeypatch):
    monkeypatch.setattr(PublicReadThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    statuses = [client.get("/api/v1/bcus/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_signed_in_clients_are_throttled_at_their_own_rate(client, monkeypatch):
    monkeypatch.setattr(PublicReadThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    client.force_login(UserFactory())
    statuses = [client.get("/api/v1/bcus/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
