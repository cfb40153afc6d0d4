"""The audit view (/audit/, its CSV export and GET /api/v1/audit/): VRU roles search the append-only history; entries
about pupil records reach Stepping Stones coordinators only, in the page, the export and the API alike."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ProgrammeRole
from core.models import AuditEvent
from core.services import audit_record
from schools.models import School
from tests.accounts.factories import ProgrammeRoleFactory, SchoolFactory, UserFactory, headteacher_of, with_two_factor

pytestmark = pytest.mark.django_db

PUPIL_REFERENCE = "SS-2026-00042"


def vru(kind: str):
    return with_two_factor(ProgrammeRoleFactory(user=UserFactory(), kind=kind).user)


@pytest.fixture
def admin():
    return vru(ProgrammeRole.Kind.PROGRAMME_ADMIN)


@pytest.fixture
def coordinator():
    return vru(ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR)


@pytest.fixture
def editor():
    return vru(ProgrammeRole.Kind.TOOLKIT_EDITOR)


def referral_type() -> ContentType:
    # The Stepping Stones app's referral, whether or not its model has landed: entries point at a content type.
    return ContentType.objects.get_or_create(app_label="stepping_stones", model="referral")[0]


def pupil_event(*, verb="stepping_stones.referral.accepted", reference=PUPIL_REFERENCE, actor=None, **extra):
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor else "system",
        verb=verb,
        target_type=referral_type(),
        target_id="42",
        target_label=reference,
        **extra,
    )


@pytest.fixture
def history(admin):
    """A wand-like change, a group change with data that is not about pupils, and four pupil-record entries."""
    group = Group.objects.create(name="Wand request WR-0007")
    ordinary = audit_record(
        actor=admin, verb="wand_request.approved", target=group, from_state="submitted", to_state="approved"
    )
    plain_data = audit_record(actor=admin, verb="group.renamed", target=group, data={"pupil_record": False})
    pupil_app = pupil_event(actor=admin)
    pupil_verb = audit_record(actor=admin, verb="stepping_stones.consent.recorded", target=group)
    marked = audit_record(actor=admin, verb="record.viewed", target=group, data={"pupil_record": True})
    keyed = audit_record(actor=admin, verb="record.exported", target=group, data={"pupil_id": 9})
    return {
        "group": group,
        "ordinary": [ordinary, plain_data],
        "pupil": [pupil_app, pupil_verb, marked, keyed],
    }


def ids_in_page(response) -> set[int]:
    return {event.pk for event in response.context["page"].object_list}


def export_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- who sees what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_other_vru_roles_never_see_pupil_entries_in_page_export_or_api(client, history, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    ordinary = {e.pk for e in history["ordinary"]}

    page = client.get(reverse("audit:search"))
    assert page.status_code == 200
    assert ids_in_page(page) == ordinary
    assert PUPIL_REFERENCE not in page.content.decode()
    assert "shown only to Stepping Stones coordinators" in page.content.decode()

    rows = export_rows(client.get(reverse("audit:export")))
    assert {row["what"] for row in rows} == {"wand_request.approved", "group.renamed"}

    api = APIClient()
    api.force_authenticate(user)
    body = api.get(reverse("audit-api:list")).json()
    assert {item["id"] for item in body["results"]} == ordinary


def test_other_vru_roles_cannot_reach_pupil_entries_by_searching_for_them(client, admin, history):
    client.force_login(admin)
    by_reference = client.get(reverse("audit:search"), {"referral": PUPIL_REFERENCE})
    assert by_reference.status_code == 200 and ids_in_page(by_reference) == set()
    by_verb = client.get(reverse("audit:search"), {"verb": "stepping_stones"})
    assert ids_in_page(by_verb) == set()
    # The Stepping Stones object types are not offered, and naming one is refused like any unknown choice.
    form = by_reference.context["filter_form"]
    assert referral_type() not in form.fields["object_type"].queryset
    refused = client.get(reverse("audit:search"), {"object_type": referral_type().pk})
    assert refused.status_code == 200 and refused.context["page"] is None
    assert "govuk-error-summary" in refused.content.decode()
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(reverse("audit-api:list"), {"object_type": referral_type().pk}).status_code == 400
    assert api.get(reverse("audit-api:list"), {"referral": PUPIL_REFERENCE}).json()["results"] == []


def test_coordinators_see_every_entry_including_pupil_records(client, coordinator, history):
    client.force_login(coordinator)
    every = {e.pk for e in history["ordinary"] + history["pupil"]}
    page = client.get(reverse("audit:search"))
    assert ids_in_page(page) == every
    assert "shown only to Stepping Stones coordinators" not in page.content.decode()
    assert len(export_rows(client.get(reverse("audit:export")))) == len(every)
    api = APIClient()
    api.force_authenticate(coordinator)
    assert {item["id"] for item in api.get(reverse("audit-api:list")).json()["results"]} == every


def test_coordinator_finds_a_referral_by_its_reference(client, coordinator, history):
    pupil_event(reference="SS-2026-00099")
    client.force_login(coordinator)
    response = client.get(reverse("audit:search"), {"referral": PUPIL_REFERENCE.lower()})
    assert ids_in_page(response) == {history["pupil"][0].pk}


@pytest.mark.parametrize("path", ["audit:search", "audit:export", "audit-api:list"])
def test_people_without_a_vru_role_are_refused(client, path, history):
    head = with_two_factor(headteacher_of())
    client.force_login(head)
    assert client.get(reverse(path)).status_code == 403


# --- searching ---------------------------------------------------------------------------------------------------


def test_search_by_actor_object_verb_and_date(client, admin, history):
    other = vru(ProgrammeRole.Kind.TOOLKIT_EDITOR)
    # The object filter offers business objects (a school here), not Django's groups.
    other_group = SchoolFactory(name="Toolkit item Assembly pack")
    by_other = audit_record(actor=other, verb="toolkit_item.published", target=other_group)
    client.force_login(admin)
    url = reverse("audit:search")

    assert ids_in_page(client.get(url, {"actor": other.email.upper()})) == {by_other.pk}
    group_type = ContentType.objects.get_for_model(School)
    by_object = client.get(url, {"object_type": group_type.pk, "object_id": str(other_group.pk)})
    assert ids_in_page(by_object) == {by_other.pk}
    assert ids_in_page(client.get(url, {"object_label": "wr-0007"})) == {e.pk for e in history["ordinary"]}
    assert ids_in_page(client.get(url, {"verb": "wand_request"})) == {history["ordinary"][0].pk}
    assert ids_in_page(client.get(url, {"verb": "toolkit_item.published"})) == {by_other.pk}

    today = timezone.localdate()
    everything = {e.pk for e in history["ordinary"]} | {by_other.pk}
    assert ids_in_page(client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})) == everything
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert ids_in_page(client.get(url, {"date_from": tomorrow})) == set()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert ids_in_page(client.get(url, {"date_to": yesterday})) == set()


def test_a_search_with_no_match_says_so(client, admin, history):
    client.force_login(admin)
    html = client.get(reverse("audit:search"), {"actor": "nobody@example.org"}).content.decode()
    assert "No entries match this search." in html and "0 entries" in html
    assert "Download these entries" not in html  # nothing to download


def test_a_reversed_date_range_is_a_clear_error_and_exports_nothing(client, admin, history):
    client.force_login(admin)
    query = {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    response = client.get(reverse("audit:search"), query)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["page"] is None
    assert "govuk-error-summary" in body and "must be the same as or after" in body
    assert "<title>Error: Audit" in body
    again = client.get(reverse("audit:search"), query).content.decode()  # from the cached fragment
    assert "must be the same as or after" in again and "<title>Error: Audit" in again
    assert "<title>Audit" in client.get(reverse("audit:search")).content.decode()
    assert client.get(reverse("audit:export"), query).status_code == 400
    assert client.get(reverse("audit:search"), {"date_from": "yesterday"}).context["page"] is None
    api = APIClient()
    api.force_authenticate(admin)
    refused = api.get(reverse("audit-api:list"), query)
    assert refused.status_code == 400 and "date_to" in refused.json()["errors"]


# --- the date boxes (GOV.UK date input) ----------------------------------------------------------------------------


def boxes(name: str, day, month, year) -> dict:
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


def box_classes(html: str, box_id: str) -> str:
    """The class attribute of the input with this id."""
    match = re.search(rf'<input class="([^"]*)" id="{box_id}"', html)
    assert match, f"no input {box_id}"
    return match.group(1)


def test_the_dates_are_govuk_date_inputs_not_the_browsers_date_field(client, admin):
    client.force_login(admin)
    html = client.get(reverse("audit:search")).content.decode()
    assert 'type="date"' not in html and html.count('class="govuk-date-input"') == 2
    for name, legend in (("date_from", "Date from"), ("date_to", "Date to")):
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>' in html
        assert f'<div id="{name}-hint" class="govuk-hint">For example, 27 3 2026</div>' in html
        for part in ("day", "month", "year"):
            assert f'name="{name}_{part}" type="text" inputmode="numeric"' in html


def test_filtering_by_day_month_and_year_keeps_the_boxes_and_the_other_filters(client, admin, history):
    client.force_login(admin)
    url = reverse("audit:search")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    ordinary = {e.pk for e in history["ordinary"]}
    both = boxes("date_from", today.day, today.month, today.year) | boxes("date_to", today.day, today.month, today.year)
    response = client.get(url, both)
    assert ids_in_page(response) == ordinary
    html = response.content.decode()
    assert f'id="id_date_to_year" name="date_to_year" type="text" inputmode="numeric" value="{today.year}"' in html
    assert "<title>Audit" in html and "govuk-error-summary" not in html
    # Day and month with leading zeros, and spaces round them, are the same date.
    padded = {
        "date_from_day": f" {today.day:02d}",
        "date_from_month": f"{today.month:02d} ",
        "date_from_year": today.year,
    }
    assert ids_in_page(client.get(url, padded)) == ordinary
    assert ids_in_page(client.get(url, boxes("date_from", tomorrow.day, tomorrow.month, tomorrow.year))) == set()
    with_verb = client.get(url, {"verb": "group"} | boxes("date_to", today.day, today.month, today.year))
    assert ids_in_page(with_verb) == {history["ordinary"][1].pk}
    # The export and the next page keep the boxes as they were typed.
    assert f"date_to_day={today.day}" in with_verb.context["export_query"]
    rows = export_rows(client.get(reverse("audit:export"), {"verb": "group"} | boxes("date_to", *_dmy(today))))
    assert [row["what"] for row in rows] == ["group.renamed"]
    assert export_rows(client.get(reverse("audit:export"), boxes("date_from", *_dmy(tomorrow)))) == []


def _dmy(day: datetime.date) -> tuple[int, int, int]:
    return day.day, day.month, day.year


def test_an_old_link_with_an_iso_date_still_filters_and_fills_the_boxes(client, admin, history):
    client.force_login(admin)
    today = timezone.localdate()
    response = client.get(reverse("audit:search"), {"date_from": today.isoformat(), "verb": "wand_request"})
    assert ids_in_page(response) == {history["ordinary"][0].pk}
    html = response.content.decode()
    assert f'name="date_from_day" type="text" inputmode="numeric" value="{today.day}"' in html
    assert f'name="date_from_month" type="text" inputmode="numeric" value="{today.month}"' in html
    assert f'name="date_from_year" type="text" inputmode="numeric" value="{today.year}"' in html
    future = (today + datetime.timedelta(days=1)).isoformat()
    assert export_rows(client.get(reverse("audit:export"), {"date_from": future})) == []


@pytest.mark.parametrize(
    "typed, message, marked",
    [
        (("1", "", "2026"), "Date from must include a month", ("month",)),
        (("", "3", ""), "Date from must include a day and year", ("day", "year")),
        (("1", "3", ""), "Date from must include a year", ("year",)),
        (("31", "2", "2026"), "Date from must be a real date, like 27 3 2026", ("day", "month", "year")),
        (("x", "2", "26"), "Date from must be a real date, like 27 3 2026", ("day", "month", "year")),
        (("1", "2", "26"), "Date from must include a year with 4 numbers, like 2026", ("year",)),
        (("1", "13", "2026"), "Date from must be a real date, like 27 3 2026", ("day", "month", "year")),
        (("1", "1", "0000"), "Date from must be a real date, like 27 3 2026", ("day", "month", "year")),
        (
            ("99999999999999999999", "1", "2026"),
            "Date from must be a real date, like 27 3 2026",
            ("day", "month", "year"),
        ),
    ],
)
def test_a_partial_or_impossible_date_is_an_error_on_the_boxes_at_fault(client, admin, history, typed, message, marked):
    client.force_login(admin)
    count = AuditEvent.objects.count()
    query = {"verb": "wand_request", "actor": admin.email} | boxes("date_from", *typed)
    for _ in range(2):  # the second time from the cached fragment
        response = client.get(reverse("audit:search"), query)
        html = response.content.decode()
        assert response.status_code == 200 and response.context["page"] is None
        assert "<title>Error: Audit" in html
        summary, rest = html.split('<div class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)
        first = "id_date_from" if marked[0] == "day" else f"id_date_from_{marked[0]}"
        assert f'<a href="#{first}">{message}</a>' in summary
        # The message above the boxes, the fieldset pointing at it, the error class only on the boxes at fault.
        hidden = '<span class="govuk-visually-hidden">Error:</span>'
        assert f'<p id="date_from-error" class="govuk-error-message">{hidden} {message}</p>' in rest
        assert 'aria-describedby="date_from-hint date_from-error"' in rest
        for part in ("day", "month", "year"):
            box = "id_date_from" if part == "day" else f"id_date_from_{part}"
            assert ("govuk-input--error" in box_classes(rest, box)) is (part in marked), part
            assert "govuk-input--error" not in box_classes(
                rest, f"id_date_to_{part}" if part != "day" else "id_date_to"
            )
        # What was typed and the other filters stay as they were.
        assert f'name="date_from_month" type="text" inputmode="numeric" value="{typed[1]}"' in rest
        assert 'name="verb" type="text" value="wand_request"' in rest
        assert f'value="{admin.email}"' in rest
        assert "Download these entries" not in rest
    assert client.get(reverse("audit:export"), query).status_code == 400
    assert AuditEvent.objects.count() == count  # nothing written


def test_a_reversed_range_typed_in_the_boxes_marks_the_to_date(client, admin, history):
    client.force_login(admin)
    query = boxes("date_from", 2, 5, 2026) | boxes("date_to", 1, 5, 2026)
    response = client.get(reverse("audit:search"), query)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"] is None
    assert "<title>Error: Audit" in html
    assert '<a href="#id_date_to">Date to must be the same as or after date from</a>' in html
    for part in ("", "_month", "_year"):
        assert "govuk-input--error" in box_classes(html, f"id_date_to{part}")
        assert "govuk-input--error" not in box_classes(html, f"id_date_from{part}")
    assert client.get(reverse("audit:export"), query).status_code == 400
    same_day = boxes("date_from", 1, 5, 2026) | boxes("date_to", 1, 5, 2026)
    assert client.get(reverse("audit:search"), same_day).context["page"] is not None


def test_the_api_keeps_its_iso_dates(admin, history):
    api = APIClient()
    api.force_authenticate(admin)
    today = timezone.localdate()
    url = reverse("audit-api:list")
    ordinary = {e.pk for e in history["ordinary"]}
    assert {item["id"] for item in api.get(url, {"date_from": today.isoformat()}).json()["results"]} == ordinary
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert api.get(url, {"date_to": (today - datetime.timedelta(days=1)).isoformat()}).json()["results"] == []
    assert api.get(url, {"date_from": tomorrow}).json()["results"] == []
    refused = api.get(url, {"date_from": "not-a-date"})
    assert refused.status_code == 400 and "date_from" in refused.json()["errors"]
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/audit/"]["get"]["parameters"]}
    for name, description in (("date_from", "From"), ("date_to", "To")):
        assert parameters[name]["schema"] == {"type": "string", "format": "date"}
        assert parameters[name]["description"] == description
    assert not {name for name in parameters if name.endswith(("_day", "_month", "_year"))}


def test_pages_keep_the_filters_and_the_export_keeps_them_too(client, admin):
    group = Group.objects.create(name="Busy object")
    for _ in range(55):
        audit_record(actor=admin, verb="busy.changed", target=group)
    audit_record(actor=admin, verb="quiet.changed", target=group)
    client.force_login(admin)
    response = client.get(reverse("audit:search"), {"verb": "busy"})
    body = response.content.decode()
    assert response.context["page"].paginator.count == 55
    assert "?verb=busy&amp;page=2" in body
    assert f"{reverse('audit:export')}?verb=busy" in body
    second = client.get(reverse("audit:search"), {"verb": "busy", "page": 2})
    assert len(second.context["page"].object_list) == 5
    rows = export_rows(client.get(reverse("audit:export"), {"verb": "busy"}))
    assert len(rows) == 55 and {row["what"] for row in rows} == {"busy.changed"}


def test_export_neutralises_formulas_and_is_not_cached(client, admin):
    group = Group.objects.create(name='=HYPERLINK("http://evil.example","click")')
    audit_record(actor=admin, verb="group.renamed", target=group, reason="+SUM(1,2)")
    client.force_login(admin)
    response = client.get(reverse("audit:export"))
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="audit.csv"' in response["Content-Disposition"]
    (row,) = export_rows(response)
    assert row["object"].startswith("'=HYPERLINK")
    assert row["reason"] == "'+SUM(1,2)"


# --- the API -----------------------------------------------------------------------------------------------------


def test_api_is_cursor_paginated_newest_first(admin):
    group = Group.objects.create(name="Paged")
    events = [audit_record(actor=admin, verb=f"paged.step{n}", target=group) for n in range(5)]
    api = APIClient()
    api.force_authenticate(admin)
    first = api.get(reverse("audit-api:list"), {"page_size": 3}).json()
    assert [item["id"] for item in first["results"]] == [e.pk for e in events[::-1][:3]]
    assert first["next"] and "cursor=" in first["next"]
    second = api.get(first["next"]).json()
    assert [item["id"] for item in second["results"]] == [events[1].pk, events[0].pk]
    assert first["results"][0]["object_type"] == "auth.group"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_has_no_write_method(admin, history, method):
    api = APIClient()
    api.force_authenticate(admin)
    count = AuditEvent.objects.count()
    response = getattr(api, method)(reverse("audit-api:list"), {"verb": "forged"}, format="json")
    assert response.status_code == 405
    assert AuditEvent.objects.count() == count


def test_api_is_in_the_schema(admin):
    api = APIClient()
    api.force_authenticate(admin)
    schema = api.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/v1/audit/"]
    assert set(operations) == {"get"}
    parameters = {p["name"] for p in operations["get"]["parameters"]}
    assert {"actor", "object_type", "object_id", "referral", "verb", "date_from", "date_to", "cursor"} <= parameters


# --- query counts ------------------------------------------------------------------------------------------------


def _grow(admin, n):
    group = Group.objects.create(name=f"Grow {n}")
    for i in range(n):
        audit_record(actor=admin, verb=f"grow.step{i}", target=group)


def test_page_export_and_api_queries_stay_constant_as_entries_grow(client, admin, django_assert_max_num_queries):
    client.force_login(admin)
    api = APIClient()
    api.force_authenticate(admin)
    _grow(admin, 3)
    with django_assert_max_num_queries(12) as small_page:
        client.get(reverse("audit:search"))
    with django_assert_max_num_queries(10) as small_export:
        b"".join(client.get(reverse("audit:export")).streaming_content)
    with django_assert_max_num_queries(8) as small_api:
        api.get(reverse("audit-api:list"))
    _grow(admin, 60)
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        client.get(reverse("audit:search"))
    with django_assert_max_num_queries(len(small_export.captured_queries)):
        b"".join(client.get(reverse("audit:export")).streaming_content)
    with django_assert_max_num_queries(len(small_api.captured_queries)):
        api.get(reverse("audit-api:list"))


# --- navigation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, shown", [("admin", True), ("coordinator", True), ("editor", True), ("head", False)])
def test_audit_link_for_vru_roles_only(client, request, who, shown):
    user = with_two_factor(headteacher_of()) if who == "head" else request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("toolkit:catalogue") if who == "head" else reverse("audit:search"))
    assert (f'href="{reverse("audit:search")}"' in response.content.decode()) is shown


def test_viewing_as_a_coordinator_never_shows_pupil_entries(client, admin, coordinator, history):
    """A programme admin "viewing as" a coordinator sees the service as them, but never pupil records."""
    import time

    from accounts.identity import view_as

    client.force_login(admin)
    session = client.session
    session[view_as.SESSION_KEY] = {"user_id": coordinator.pk, "started_at": time.time()}
    session.save()
    ordinary = {e.pk for e in history["ordinary"]}
    page = client.get(reverse("audit:search"))
    assert page.status_code == 200 and ids_in_page(page) == ordinary
    assert PUPIL_REFERENCE not in page.content.decode()
    assert {row["what"] for row in export_rows(client.get(reverse("audit:export")))} == {
        "wand_request.approved",
        "group.renamed",
    }
    api = client.get(reverse("audit-api:list"))
    assert {item["id"] for item in api.json()["results"]} == ordinary


def test_object_types_are_offered_by_the_names_people_use(client, admin):
    client.force_login(admin)
    form = client.get(reverse("audit:search")).context["filter_form"]
    labels = [label for _, label in form.fields["object_type"].choices]
    assert {"Wand request", "School membership", "Officer", "School", "Invitation", "User account"} <= set(labels)
    assert not [label for label in labels if "|" in label or "Authentication and Authorization" in label]
    assert len(labels) == len(set(labels))  # names two apps share say which programme they belong to
    # Only business objects: none of Django's, allauth's or the portal's own plumbing.
    internal = {
        "Permission",
        "Group",
        "Session",
        "Email address",
        "Authenticator",
        "Audit event",
        "Idempotent response",
        "Sent email",
        "Worker heartbeat",
        "Task Result",
        "Access review reminder",
        "Stock level",
    }
    assert not internal & set(labels)
    assert "Api token" not in labels and "API token" in labels
    named = labels[1:]  # after "Any type of object"
    assert named == sorted(named, key=str.lower)


def test_an_internal_object_type_is_refused_by_the_filter(client, admin):
    from core.models import IdempotentResponse

    client.force_login(admin)
    internal = ContentType.objects.get_for_model(IdempotentResponse)
    page = client.get(reverse("audit:search"), {"object_type": internal.pk})
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(reverse("audit-api:list"), {"object_type": internal.pk}).status_code == 400
