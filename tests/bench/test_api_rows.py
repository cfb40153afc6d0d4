"""The long API lists build their rows from `.values()` (core.api.rows) instead of their ModelSerializer, for speed
(docs/performance.md). These tests fail if a fast row ever differs from what the serializer gives for the same object:
every field, nested objects, nulls, labels, references and datetimes, with and without filter parameters."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from education_toolkit.api.serializers import ToolkitResourceSerializer
from education_toolkit.selectors import catalogue_resources
from schools.api.serializers import SchoolListSerializer
from schools.selectors import school_filter
from tests.accounts.factories import programme_admin
from tests.accounts.test_identity_support import give_totp
from tests.education_toolkit.factories import ResourceFactory
from tests.schools.factories import SchoolFactory, local_authority
from tests.wands.factories import WandRequestFactory
from wands.api.serializers import WandRequestSerializer, WandStockMovementSerializer
from wands.models import StockMovement, WandRequest
from wands.selectors import stock_movements, wand_requests_visible_to

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def admin():
    user = programme_admin()
    give_totp(user)
    return user


@pytest.fixture
def api(admin):
    client = APIClient()
    client.force_login(admin)
    return client


def test_school_rows_equal_the_serializer_with_and_without_filters(client):
    SchoolFactory(name="Alpha Primary")
    SchoolFactory(name="Beta Closed", closed=True)
    SchoolFactory(name="City School", local_authority=local_authority(201), postcode="EC1A 1BB")  # BCU null
    SchoolFactory(name="Delta Secondary", secondary=True, local_authority=local_authority(202))
    for params in ({}, {"include_closed": "true"}, {"phase": "secondary"}, {"page_size": "2", "page": "2"}):
        body = client.get("/api/v1/schools/", params).json()
        filterset = school_filter(params={k: v for k, v in params.items() if not k.startswith("page")})
        assert filterset.is_valid()
        expected = as_json(SchoolListSerializer(filterset.qs, many=True).data)
        if "page" in params:
            expected = expected[2:4]
        assert body["results"] == expected, params
        assert body["results"], params
    city = client.get("/api/v1/schools/", {"q": "City School"}).json()["results"]
    assert city[0]["bcu"] is None
    assert client.get("/api/v1/schools/").json()["count"] == 3  # closed left out by default, as before


def test_wand_request_rows_equal_the_serializer(api, admin):
    first = WandRequestFactory(delivered=True)
    WandRequestFactory(rejected=True)
    WandRequestFactory(approved=True, school=first.school)
    WandRequestFactory(dispatched=True)
    WandRequestFactory(replaces=first, status=WandRequest.Status.SUBMITTED, school=first.school)
    WandRequestFactory(waiting=True)
    for params in ({}, {"status": "delivered"}, {"page_size": "2"}):
        body = api.get("/api/v1/wands/requests/", params).json()
        queryset = wand_requests_visible_to(admin).order_by("-created_at")
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        expected = as_json(WandRequestSerializer(queryset, many=True).data)
        if "page_size" in params:
            expected = expected[:2]
        assert body["results"] == expected, params
    replacement = [r for r in api.get("/api/v1/wands/requests/").json()["results"] if r["replaces"]]
    assert replacement[0]["replaces"] == first.reference


def test_stock_movement_rows_equal_the_serializer(api, admin):
    request = WandRequestFactory(approved=True)
    now = timezone.now()
    StockMovement.objects.create(
        kind="delivery", quantity=100, on_hand_change=100, reserved_change=0, batch="B1", serials=["A1", "A2"],
        note="From the supplier", actor=admin,
    )  # fmt: skip
    StockMovement.objects.create(
        kind="reservation", quantity=2, on_hand_change=0, reserved_change=2, wand_request=request
    )
    StockMovement.objects.filter(kind="delivery").update(created_at=now - datetime.timedelta(days=1))
    body = api.get("/api/v1/wands/stock/movements/").json()
    assert body["results"] == as_json(WandStockMovementSerializer(stock_movements(), many=True).data)
    assert body["results"][0]["request"] == request.reference


def test_toolkit_resource_rows_equal_the_serializer(client):
    ResourceFactory(title="Assembly", tags=[("audience", "schools"), ("topic", "law"), ("topic", "bystander")])
    ResourceFactory(title="Lesson", content_updated_at=timezone.now())
    ResourceFactory(title="Draft", draft=True, tags=[("topic", "law")])
    for params in ({}, {"topic": "law"}):
        body = client.get("/api/v1/toolkit/resources/", params).json()
        queryset = catalogue_resources()
        if params:
            queryset = queryset.filter(tags__kind="topic", tags__value="law")
        assert body["results"] == as_json(ToolkitResourceSerializer(queryset, many=True).data), params
    assert client.get("/api/v1/toolkit/resources/").json()["results"][0]["topics"] == ["bystander", "law"]


def test_referral_rows_equal_the_serializer():
    from stepping_stones.api.serializers import SteppingStonesReferralListSerializer
    from stepping_stones.models import Referral
    from stepping_stones.selectors import referrals_visible_to
    from tests.accounts.factories import with_two_factor
    from tests.stepping_stones.factories import (
        CohortFactory,
        ReferralFactory,
        coordinator,
        secondary_school,
    )

    vru = with_two_factor(coordinator())
    cohort = CohortFactory(transition_year=2026)
    secondary = secondary_school(name="Receiving Academy")
    ReferralFactory(cohort=cohort)  # a draft: no receiving school, no dates
    ReferralFactory(cohort=cohort, receiving_school=secondary, submitted=True, priority=1)
    ReferralFactory(cohort=cohort, receiving_school=secondary, waitlisted=True, priority=2)
    ReferralFactory(cohort=cohort, receiving_school=secondary, accepted=True)
    ReferralFactory(cohort=CohortFactory(transition_year=2027), pending=True)
    client = APIClient()
    client.force_login(vru)
    for params in ({}, {"status": "submitted"}, {"cohort": "2027"}, {"page_size": "2"}):
        body = client.get("/api/v1/stepping-stones/referrals/", params).json()
        queryset = referrals_visible_to(vru).order_by("-created_at", "-id")
        if "status" in params:
            queryset = queryset.filter(status=params["status"])
        if "cohort" in params:
            queryset = queryset.filter(cohort__transition_year=int(params["cohort"]))
        expected = as_json(SteppingStonesReferralListSerializer(queryset, many=True).data)
        if "page_size" in params:
            expected = expected[:2]
        assert body["results"] == expected, params
        assert body["results"], params
    assert {row["status"] for row in client.get("/api/v1/stepping-stones/referrals/").json()["results"]} == {
        s.value
        for s in (
            Referral.Status.DRAFT,
            Referral.Status.SUBMITTED,
            Referral.Status.WAITLISTED,
            Referral.Status.ACCEPTED,
            Referral.Status.PENDING_DESTINATION,
        )
    }


def test_referral_list_query_reads_no_pupil_column():
    """The list's SQL names no pupil column: a list never loads a name, UPN or date of birth."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accounts.factories import with_two_factor
    from tests.stepping_stones.factories import ReferralFactory, coordinator

    vru = with_two_factor(coordinator())
    ReferralFactory()
    client = APIClient()
    client.force_login(vru)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/stepping-stones/referrals/").json()["results"]
    listing = [q["sql"] for q in queries.captured_queries if "stepping_stones_referral" in q["sql"]]
    assert listing
    for sql in listing:
        for column in ("first_name", "last_name", "date_of_birth", '"upn"', "strengths", "known_by_name"):
            assert column not in sql, (column, sql)


def test_officer_rows_equal_the_serializer():
    from officers.api.serializers import OfficersOfficerSerializer
    from officers.selectors import officers_visible_to
    from tests.accounts.factories import bcu
    from tests.officers.factories import AssignmentFactory, OfficerFactory, allocator

    lead = allocator("central-east")
    busy = OfficerFactory(name="Alex Busy")
    AssignmentFactory.create_batch(2, officer=busy, weight=25)
    AssignmentFactory(officer=busy, end_date=timezone.localdate())  # ended: not in the load
    OfficerFactory(name="Bea Idle", active=False, work_email="", work_phone="")
    OfficerFactory(name="Cal Other", bcu=bcu("north-west"))  # another BCU: not this allocator's
    client = APIClient()
    client.force_login(lead)
    for params in ({}, {"page_size": "1"}, {"page": "2", "page_size": "1"}):
        body = client.get("/api/v1/officers/officers/", params).json()
        expected = as_json(OfficersOfficerSerializer(officers_visible_to(lead).order_by("name", "pk"), many=True).data)
        if "page" in params:
            expected = expected[1:2]
        elif "page_size" in params:
            expected = expected[:1]
        assert body["results"] == expected, params
        assert body["results"], params
    body = client.get("/api/v1/officers/officers/").json()
    assert [(r["name"], r["load"], r["school_count"]) for r in body["results"]] == [
        ("Alex Busy", 50, 2),
        ("Bea Idle", 0, 0),
    ]
    # The total is counted without the load annotations (officers_in_scope), and is the same.
    assert body["count"] == 2
    assert client.get("/api/v1/officers/officers/", {"page_size": "1"}).json()["next"]
