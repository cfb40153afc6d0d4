"""The Stepping Stones API: scoping (404), 400 with field errors, 409 conflicts, no-store, audit of views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import Referral
from tests.accounts.factories import UserFactory, headteacher_of, programme_admin
from tests.etag import patch_with_etag

from .factories import coordinator, lead_of, primary_school, refer, upn_for, year6_dob
from .test_services import _csv, _row

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def url(name, **kwargs):
    return reverse(f"stepping_stones-api:{name}", kwargs=kwargs or None)


def payload(cohort, primary, secondary=None, **overrides):
    data = {
        "cohort": cohort.transition_year,
        "referring_school_urn": primary.pk,
        "receiving_school_urn": secondary.pk if secondary else None,
        "first_name": "Apipupil",
        "last_name": "Fictional",
        "date_of_birth": year6_dob().isoformat(),
        "upn": upn_for(3),
        "strengths": "Art",
    }
    data.update(overrides)
    return data


CONSENT = {
    "given_by_name": "Pat Fictional",
    "relationship": "guardian",
    "method": "email",
    "given_on": "2026-01-05",
    "text_version": services.CONSENT_TEXT_VERSIONS[-1],
}


def test_full_flow_primary_refers_secondary_accepts(
    api, cohort, primary, secondary, participating, primary_lead, secondary_lead
):
    api.force_authenticate(primary_lead)
    created = api.post(url("referrals"), payload(cohort, primary, secondary), format="json")
    assert created.status_code == 201, created.json()
    assert created["Cache-Control"] == "no-store"
    reference = created.json()["reference"]
    submit = api.post(url("submit", reference=reference), {}, format="json")
    assert submit.status_code == 400
    assert submit.json()["errors"]["consent"][0].startswith("You cannot submit until you record parental consent")
    assert api.post(url("consent", reference=reference), CONSENT, format="json").status_code == 200
    submitted = api.post(url("submit", reference=reference), {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert api.post(url("accept", reference=reference), {}, format="json").status_code == 403

    api.force_authenticate(secondary_lead)
    accepted = api.post(url("accept", reference=reference), {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    api.force_authenticate(primary_lead)
    locked = patch_with_etag(api, url("referral", reference=reference), {"strengths": "New"})
    assert locked.status_code == 409 and locked.json()["code"] == "record_locked"
    assert api.get(url("referral", reference=reference)).json()["status"] == "accepted"


def test_every_failed_check_is_a_400_field_error(api, cohort, primary, participating, primary_lead):
    api.force_authenticate(primary_lead)
    response = api.post(
        url("referrals"),
        payload(cohort, primary, upn="A801200005001", date_of_birth="2012-01-01", first_name=""),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "check letter" in body["errors"]["upn"][0]
    assert "born between" in body["errors"]["date_of_birth"][0]
    assert body["errors"]["first_name"] == ["Enter the pupil's first name."]
    assert not Referral.objects.exists()
    bad_school = api.post(url("referrals"), payload(cohort, primary, primary_school()), format="json")
    assert bad_school.status_code == 400 and "not taking part" in bad_school.json()["errors"]["receiving_school"][0]


def test_duplicate_is_409(api, cohort, primary, participating, primary_lead):
    api.force_authenticate(primary_lead)
    assert api.post(url("referrals"), payload(cohort, primary), format="json").status_code == 201
    again = api.post(url("referrals"), payload(cohort, primary), format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_referral"
    assert Referral.objects.count() == 1


def test_over_capacity_is_409(api, make_referral, secondary_lead, participating):
    api.force_authenticate(secondary_lead)
    referrals = [make_referral(n) for n in range(4)]
    for referral in referrals[:3]:
        assert api.post(url("accept", reference=referral.reference), {}, format="json").status_code == 200
    full = api.post(url("accept", reference=referrals[3].reference), {}, format="json")
    assert full.status_code == 409 and full.json()["code"] == "places_full"
    waitlisted = api.post(url("waitlist", reference=referrals[3].reference), {"priority": 1}, format="json")
    assert waitlisted.json()["status"] == "waitlisted"
    withdraw = api.post(
        url("withdraw", reference=referrals[0].reference), {"reason": "Moved", "moved_school": True}, format="json"
    )
    assert withdraw.json()["status"] == "moved_school"
    assert api.get(url("referral", reference=referrals[3].reference)).json()["status"] == "offered"
    decline = api.post(url("decline", reference=referrals[3].reference), {"reason": ""}, format="json")
    assert decline.status_code == 400 and "reason" in decline.json()["errors"]


@pytest.mark.parametrize("who", ["other_lead", "other_head", "programme_admin", "police", "signed_in"])
def test_out_of_scope_users_get_404_on_every_pupil_endpoint(api, make_referral, who):
    from tests.accounts.factories import PoliceRoleFactory

    referral = make_referral()
    user = {
        "other_lead": lambda: lead_of(primary_school()),
        "other_head": lambda: headteacher_of(primary_school()),
        "programme_admin": programme_admin,
        "police": lambda: PoliceRoleFactory().user,
        "signed_in": UserFactory,
    }[who]()
    api.force_authenticate(user)
    ref = referral.reference
    for name in ("referral", "subject-access", "access-log"):
        assert api.get(url(name, reference=ref)).status_code == 404, name
    for name in ("accept", "consent", "withdraw", "erase", "submit", "progress"):
        assert api.post(url(name, reference=ref), {}, format="json").status_code == 404, name
    assert api.patch(url("referral", reference=ref), {}, format="json").status_code == 404
    search = api.post(url("search"), {"upn": referral.upn}, format="json")
    assert search.status_code in (403, 200) and (search.status_code == 403 or search.json() == [])
    assert api.get(url("referrals")).status_code == 403 or api.get(url("referrals")).json()["results"] == []


def test_view_as_sees_nothing(api, make_referral, rf):
    """A programme admin viewing as the secondary's lead: the request carries view_as_actor → the API's edge
    (`NotViewingAs`) refuses it before any selector is asked; the same request, not viewing as, sees the pupil."""
    from stepping_stones.api.views import Dashboard, ReferralDetail, ReferralList

    referral = make_referral()
    lead = lead_of(referral.receiving_school)

    def get(view, viewing_as, **kwargs):
        request = rf.get("/")
        request.user = lead
        request.view_as_actor = programme_admin() if viewing_as else None
        return view.as_view()(request, **kwargs)

    refused = get(ReferralDetail, True, reference=referral.reference)
    assert refused.status_code == 404 and referral.reference not in refused.rendered_content.decode()
    assert get(ReferralList, True).status_code == 403
    assert get(Dashboard, True).status_code == 403
    seen = get(ReferralDetail, False, reference=referral.reference)
    assert seen.status_code == 200 and seen.data["reference"] == referral.reference
    assert [row["reference"] for row in get(ReferralList, False).data["results"]] == [referral.reference]


def test_anonymous_is_refused(api, make_referral):
    referral = make_referral()
    assert api.get(url("referral", reference=referral.reference)).status_code in (401, 403)
    assert api.get(url("referrals")).status_code in (401, 403)


def test_detail_view_and_search_are_logged_and_the_log_is_for_coordinators(api, make_referral, secondary_lead):
    referral = make_referral()
    api.force_authenticate(secondary_lead)
    assert api.get(url("referral", reference=referral.reference)).status_code == 200
    found = api.post(url("search"), {"upn": referral.upn.lower()}, format="json")
    assert [r["reference"] for r in found.json()] == [referral.reference]
    assert "first_name" not in found.json()[0] and "upn" not in found.json()[0]
    assert api.get(url("access-log", reference=referral.reference)).status_code == 403
    vru = coordinator()
    api.force_authenticate(vru)
    log = api.get(url("access-log", reference=referral.reference)).json()["results"]
    viewed = [e for e in log if e["what"] == "referral.viewed"]
    assert {e["detail"] for e in viewed} >= {"api detail", "api search result"}
    assert all(e["who"] == secondary_lead.email for e in viewed)


def test_search_needs_criteria_and_is_post_only(api, primary_lead, make_referral):
    api.force_authenticate(primary_lead)
    assert api.post(url("search"), {}, format="json").status_code == 400
    assert api.get(url("search")).status_code == 405


def test_coordinator_endpoints(api, make_referral, cohort, primary_lead, secondary_lead, need):
    referral = make_referral()
    api.force_authenticate(secondary_lead)
    assert api.get(url("evaluation-export", year=2026)).status_code == 403
    assert api.get(url("dashboard")).status_code == 403
    assert api.get(url("subject-access", reference=referral.reference)).status_code == 403
    assert api.post(url("erase", reference=referral.reference), {"reason": "x"}, format="json").status_code == 403
    api.force_authenticate(coordinator())
    export = api.get(url("evaluation-export", year=2026))
    assert export.status_code == 200 and export["Cache-Control"] == "no-store"
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert referral.pseudonym in body and referral.upn not in body and "Testpupil" not in body
    dashboard = api.get(url("dashboard")).json()["figures"]
    assert dashboard["places"][0]["places"] == 3 and dashboard["by_status"] == {"submitted": 1}
    sar = api.get(url("subject-access", reference=referral.reference))
    assert sar.json()["record"]["pupil"]["upn"] == referral.upn
    erased = api.post(url("erase", reference=referral.reference), {"reason": "Parent asked"}, format="json")
    assert erased.status_code == 200 and erased.json()["erased_at"]
    assert api.post(url("erase", reference=referral.reference), {"reason": "Again"}, format="json").status_code == 409
    assert AuditEvent.objects.filter(verb="stepping_stones.referral.erased").count() == 1


def test_the_evaluation_file_is_served_to_a_client_that_asks_for_csv(api, make_referral, cohort, secondary_lead):
    make_referral()
    api.force_authenticate(coordinator())
    export = api.get(url("evaluation-export", year=2026), HTTP_ACCEPT="text/csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    api.force_authenticate(secondary_lead)
    refused = api.get(url("evaluation-export", year=2026), HTTP_ACCEPT="text/csv")
    assert refused.status_code == 403 and refused["Content-Type"].endswith("json")


def test_cohorts_schools_needs(api, primary_lead, secondary):
    vru = coordinator()
    api.force_authenticate(primary_lead)
    assert api.post(url("cohorts"), {"transition_year": 2027}, format="json").status_code == 403
    api.force_authenticate(vru)
    assert api.post(url("cohorts"), {"transition_year": 2027}, format="json").status_code == 201
    assert api.post(url("cohorts"), {"transition_year": 2027}, format="json").status_code == 409
    assert api.post(url("cohorts"), {"transition_year": "soon"}, format="json").status_code == 400
    school = api.post(url("cohort-schools", year=2027), {"school_urn": secondary.pk, "places": 20}, format="json")
    assert school.status_code == 200 and school.json()["places_left"] == 20
    assert api.post(url("needs"), {"name": "Anxiety"}, format="json").status_code == 201
    assert patch_with_etag(api, url("cohort", year=2027), {"status": "ended"}).json()["status"] == "ended"
    api.force_authenticate(primary_lead)
    assert [c["transition_year"] for c in api.get(url("cohorts")).json()] == [2027]
    assert api.get(url("cohort-schools", year=2027)).json()[0]["school_urn"] == secondary.pk


def test_import_reports_every_bad_row(api, cohort, primary, secondary, participating, need):
    api.force_authenticate(coordinator())
    bad = _csv([_row(1, primary, secondary, upn="A801200005001"), _row(2, primary, secondary, priority="urgent")])
    response = api.post(
        url("cohort-import", year=2026),
        {"file": SimpleUploadedFile("cohort.csv", bad, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 400 and {r["line"] for r in response.json()["rows"]} == {2, 3}
    good = _csv([_row(1, primary, secondary)])
    response = api.post(
        url("cohort-import", year=2026),
        {"file": SimpleUploadedFile("cohort.csv", good, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 201 and len(response.json()["created"]) == 1


def test_pending_destination_queue_and_routing(api, cohort, primary, secondary, participating, primary_lead):
    referral = refer(actor=primary_lead, cohort=cohort, referring_school=primary)
    api.force_authenticate(coordinator())
    queue = api.get(url("pending-destination")).json()["results"]
    assert [r["reference"] for r in queue] == [referral.reference]
    routed = api.post(
        url("destination", reference=referral.reference), {"receiving_school_urn": secondary.pk}, format="json"
    )
    assert routed.json()["status"] == "submitted"


def test_sensitive_post_parameters_are_marked(api, primary_lead, cohort, primary, participating, rf):
    from django.views.debug import SafeExceptionReporterFilter

    from stepping_stones.api.views import ReferralList

    request = rf.post("/api/v1/stepping-stones/referrals/", {"upn": upn_for(1), "first_name": "Hidden"})
    request.user = primary_lead
    request.view_as_actor = None
    request._dont_enforce_csrf_checks = True
    ReferralList.as_view()(request)
    assert request.sensitive_post_parameters == "__ALL__"
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "Hidden" not in str(cleansed) and upn_for(1) not in str(cleansed)


def test_list_query_count_is_constant(api, make_referral, django_assert_max_num_queries):
    vru = coordinator()
    api.force_authenticate(vru)
    make_referral(0)
    with django_assert_max_num_queries(12) as first:
        assert len(api.get(url("referrals")).json()["results"]) == 1
    for n in range(1, 12):
        make_referral(n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(api.get(url("referrals")).json()["results"]) == 12


def test_pending_and_access_log_query_counts(
    api, cohort, primary, participating, primary_lead, django_assert_max_num_queries
):
    vru = coordinator()
    api.force_authenticate(vru)
    first_ref = refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=0)
    with django_assert_max_num_queries(12) as first:
        api.get(url("pending-destination"))
    for n in range(1, 8):
        refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(api.get(url("pending-destination")).json()["results"]) == 8
    with django_assert_max_num_queries(12) as log_first:
        api.get(url("access-log", reference=first_ref.reference))
    for _ in range(5):
        services.referral_viewed(actor=vru, referral=first_ref, what="detail")
    with django_assert_max_num_queries(len(log_first.captured_queries)):
        api.get(url("access-log", reference=first_ref.reference))


def test_schema_includes_stepping_stones(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/stepping-stones/")]
    assert "/api/v1/stepping-stones/referrals/search/" in paths
    assert "/api/v1/stepping-stones/referrals/{reference}/accept/" in paths
    assert len(paths) >= 20


def test_view_as_through_the_real_middleware_gets_404(client, make_referral, secondary_lead):
    """A programme admin viewing as the receiving school's lead: the API answers 404/403, never the pupil."""
    import time

    from accounts.identity import view_as
    from tests.accounts.factories import with_two_factor

    referral = make_referral()
    admin = with_two_factor(programme_admin())
    client.force_login(admin)
    session = client.session
    session[view_as.SESSION_KEY] = {"user_id": secondary_lead.pk, "started_at": time.time()}
    session.save()
    assert client.get(reverse("identity-api:me")).json()["email"] == secondary_lead.email  # viewing as the lead
    response = client.get(url("referral", reference=referral.reference))
    assert response.status_code == 404 and response["Cache-Control"] == "no-store"
    assert client.get(url("subject-access", reference=referral.reference)).status_code == 404
    assert client.get(url("referrals")).status_code == 403
    assert client.get(url("cohorts")).status_code == 403
    assert client.get(url("needs")).status_code == 403


def test_schools_and_search_query_counts_are_constant(api, cohort, make_referral, django_assert_max_num_queries):
    from .factories import ParticipatingSchoolFactory

    vru = coordinator()
    api.force_authenticate(vru)
    make_referral(0)
    with django_assert_max_num_queries(12) as schools_first:
        api.get(url("cohort-schools", year=2026))
    with django_assert_max_num_queries(30) as search_first:
        api.post(url("search"), {"name": "Fictional"}, format="json")
    for n in range(1, 6):
        ParticipatingSchoolFactory(cohort=cohort, feeder_primaries=[primary_school(), primary_school()])
        make_referral(n)
    with django_assert_max_num_queries(len(schools_first.captured_queries)):
        assert len(api.get(url("cohort-schools", year=2026)).json()) == 6
    # Each search result writes one audit row (the view is logged): a constant cost per result, no N+1 reads.
    with django_assert_max_num_queries(len(search_first.captured_queries) + 5 * 2):
        assert len(api.post(url("search"), {"name": "Fictional"}, format="json").json()) == 6


def test_out_of_range_numbers_are_400_or_404_never_500(api, cohort, primary, participating, primary_lead):
    vru = coordinator()
    api.force_authenticate(vru)
    huge = 10**30
    assert api.get(url("cohort", year=huge)).status_code == 404
    assert api.patch(url("need", pk=huge), {"name": "X"}, format="json").status_code == 404
    body = payload(cohort, primary, receiving_school_urn=huge, needs=[huge])
    response = api.post(url("referrals"), body, format="json")
    errors = response.json()["errors"]  # an item of a list is named with its index: needs.0
    assert response.status_code == 400 and {"receiving_school_urn", "needs"} <= {key.split(".")[0] for key in errors}
    response = api.post(url("cohort-schools", year=2026), {"school_urn": huge, "places": 2}, format="json")
    assert response.status_code == 400
    response = api.post(url("referrals"), {**payload(cohort, primary), "cohort": huge}, format="json")
    assert response.status_code == 400


def test_view_as_is_refused_on_every_endpoint_even_as_a_coordinator(client, make_referral, cohort, need):
    """Every Stepping Stones endpoint refuses view-as at the edge (`NotViewingAs`), whoever is viewed: 404 where the
    URL names something, 403 for the lists and forms; never a pupil's details. The coordinator, signed in as
    themselves, sees the record."""
    import time

    from accounts.identity import view_as
    from stepping_stones.api.urls import urlpatterns
    from tests.accounts.factories import with_two_factor

    referral = make_referral()
    vru = with_two_factor(coordinator())
    kwargs_for = {"reference": referral.reference, "year": cohort.transition_year, "pk": need.pk}
    client.force_login(vru)
    assert client.get(url("referral", reference=referral.reference)).status_code == 200
    admin = with_two_factor(programme_admin())
    client.force_login(admin)
    session = client.session
    session[view_as.SESSION_KEY] = {"user_id": vru.pk, "started_at": time.time()}
    session.save()
    assert client.get(reverse("identity-api:me")).json()["email"] == vru.email  # viewing as the coordinator
    for pattern in urlpatterns:
        kwargs = {key: kwargs_for[key] for key in pattern.pattern.converters}
        response = client.get(url(pattern.name, **kwargs))
        assert response.status_code == (404 if kwargs else 403), pattern.name
        assert referral.last_name not in response.content.decode(), pattern.name


def test_an_infant_school_referring_is_400_with_the_reason(api, cohort, secondary, participating):
    from .test_services import infant_school

    infant = infant_school()
    lead = lead_of(infant)
    api.force_authenticate(lead)
    response = api.post(url("referrals"), payload(cohort, infant, secondary), format="json")
    assert response.status_code == 400, response.json()
    [message] = response.json()["errors"]["referring_school"]
    assert message.startswith("Hillside Infant School does not teach Year 6")
    assert not Referral.objects.exists()
