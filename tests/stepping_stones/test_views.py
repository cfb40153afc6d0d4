"""The Stepping Stones pages through HTTP: the primary's referral journey, the secondary's decisions, places and
progress, the coordinator's pages, finding a pupil; and the protections every pupil page carries (404 out of scope
and for view-as, no-store, no pupil data in any URL, every view logged)."""

import contextlib
import html
import re
import time
from datetime import date

import pytest
from django.urls import reverse

from accounts.identity import view_as
from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import Cohort, Consent, Need, ParticipatingSchool, Referral
from tests.accounts.factories import programme_admin, with_two_factor

from .factories import (
    ConsentFactory,
    NeedFactory,
    ReferralFactory,
    lead_of,
    primary_school,
    refer,
    upn_for,
    year6_dob,
)

pytestmark = pytest.mark.django_db

CANARY = {"first_name": "Zebedee", "last_name": "Quillfeather", "upn": upn_for(777)}
CANARY_DOB = year6_dob(2026, month=2, day=28)


def url(name, referral=None, **kwargs):
    if referral is not None:
        kwargs["reference"] = referral.reference
    return reverse(f"stepping_stones:{name}", kwargs=kwargs)


def pupil_data(**overrides):
    data = {
        "first_name": CANARY["first_name"],
        "last_name": CANARY["last_name"],
        "date_of_birth_day": str(CANARY_DOB.day),
        "date_of_birth_month": str(CANARY_DOB.month),
        "date_of_birth_year": str(CANARY_DOB.year),
        "upn": CANARY["upn"],
        "outside_age_group_reason": "",
        "action": "continue",
    }
    data.update(overrides)
    return data


def consent_data(**overrides):
    today = date.today()
    data = {
        "given_by_name": "Perpetua Quillfeather",
        "relationship": "mother",
        "method": "paper",
        "given_on_day": str(today.day),
        "given_on_month": str(today.month),
        "given_on_year": str(today.year),
        "text_confirmed": "on",
        "action": "continue",
    }
    data.update(overrides)
    return data


def assert_error_summary(response, *messages):
    assert response.status_code in (200, 400)
    body = html.unescape(response.content.decode())
    assert "govuk-error-summary" in body and "There is a problem" in body
    for message in messages:
        assert message in body, message


def assert_no_pupil_data(text: str):
    for value in (*CANARY.values(), CANARY_DOB.isoformat(), CANARY_DOB.strftime("%d/%m/%Y")):
        assert value.lower() not in text.lower(), f"pupil data {value!r} in {text!r}"


@pytest.fixture
def lead_client(client, primary_lead):
    client.force_login(primary_lead)
    return client


@pytest.fixture
def draft(cohort, primary, secondary, participating, primary_lead, need):
    referral = services.referral_create(
        actor=primary_lead,
        cohort=cohort,
        referring_school=primary,
        receiving_school=secondary,
        needs=[need],
        strengths="Loves drawing",
        known_by_name="Ms Example",
        known_by_role="Year 6 teacher",
        **CANARY,
        date_of_birth=CANARY_DOB,
    )
    return referral


class TestReferralJourney:
    def test_start_page_interrupts_with_the_safeguarding_message(self, lead_client, cohort):
        body = lead_client.get(url("refer_start")).content.decode()
        assert "govuk-panel--interruption" in body
        assert "This is not how to report a safeguarding concern" in body
        assert "designated safeguarding lead" in body
        assert url("referral_new") in body

    def test_full_journey_with_consent_submits_and_shows_the_reference(
        self, lead_client, cohort, participating, secondary, need
    ):
        visited = []

        def follow(response):
            assert response.status_code == 302, response.content.decode()[:2000]
            visited.append(response["Location"])
            return response["Location"]

        page = lead_client.get(url("referral_new"))
        assert page.status_code == 200
        # The date of birth example is a date this cohort accepts (Year 6 in the year before the transition).
        assert f"For example, 27 3 {cohort.transition_year - 11}" in page.content.decode()
        location = follow(lead_client.post(url("referral_new"), pupil_data()))
        referral = Referral.objects.get()
        assert referral.status == Referral.Status.DRAFT
        assert location == url("referral_destination", referral)
        assert secondary.name in lead_client.get(location).content.decode()
        location = follow(lead_client.post(location, {"receiving_school": str(secondary.pk), "action": "continue"}))
        assert location == url("referral_needs", referral)
        location = follow(
            lead_client.post(location, {"needs": [str(need.pk)], "strengths": "Kind", "action": "continue"})
        )
        assert location == url("referral_contact", referral)
        location = follow(
            lead_client.post(
                location, {"known_by_name": "Ms Example", "known_by_role": "Class teacher", "action": "continue"}
            )
        )
        assert location == url("referral_consent", referral)
        consent_page = lead_client.get(location).content.decode()
        assert f"version {services.CONSENT_TEXT_VERSIONS[-1]}" in consent_page
        location = follow(lead_client.post(location, consent_data()))
        assert location == url("referral_check", referral)
        check = lead_client.get(location).content.decode()
        assert "Check your answers" in check and "Send referral" in check and "Perpetua Quillfeather" in check
        location = follow(lead_client.post(location))
        assert location == url("referral_confirmation", referral)
        confirmation = lead_client.get(location).content.decode()
        assert "govuk-panel--confirmation" in confirmation and referral.reference in confirmation
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SUBMITTED
        assert referral.receiving_school == secondary
        for visited_url in visited:
            assert_no_pupil_data(visited_url)

    def test_not_yet_known_goes_to_the_vru_queue(self, lead_client, draft):
        lead_client.post(url("referral_destination", draft), {"receiving_school": "not-yet-known"})
        draft.refresh_from_db()
        assert draft.receiving_school is None
        ConsentFactory(referral=draft)
        lead_client.post(url("referral_check", draft))
        draft.refresh_from_db()
        assert draft.status == Referral.Status.PENDING_DESTINATION

    def test_save_as_draft_goes_to_my_referrals(self, lead_client, draft):
        response = lead_client.post(
            url("referral_contact", draft), {"known_by_name": "Mr New", "known_by_role": "Mentor", "action": "draft"}
        )
        assert response["Location"] == url("referral_list")
        draft.refresh_from_db()
        assert draft.known_by_name == "Mr New" and draft.status == Referral.Status.DRAFT
        listing = lead_client.get(url("referral_list")).content.decode()
        assert draft.reference in listing and "Draft" in listing

    @pytest.mark.parametrize(
        ("overrides", "message", "anchor"),
        [
            ({"upn": "A12345"}, "UPN", "#id_upn"),
            ({"upn": "Z202234525001"}, "check letter", "#id_upn"),
            ({"upn": ""}, "Enter the pupil's unique pupil number", "#id_upn"),
            ({"first_name": ""}, "Enter the pupil's first name", "#id_first_name"),
            ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "must be a real date", "#id_date_of_birth_day"),
            ({"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""}, "Enter", "#id_date"),
            ({"date_of_birth_year": "2010"}, "Year 6", "#id_date_of_birth_day"),
        ],
    )
    def test_bad_pupil_details_show_an_error_summary_and_write_nothing(
        self, lead_client, cohort, participating, overrides, message, anchor
    ):
        response = lead_client.post(url("referral_new"), pupil_data(**overrides))
        assert_error_summary(response, message, f'href="{anchor}')
        assert not Referral.objects.exists()

    def test_outside_age_group_with_a_reason_is_accepted(self, lead_client, cohort, participating):
        response = lead_client.post(
            url("referral_new"),
            pupil_data(date_of_birth_year=str(CANARY_DOB.year - 1), outside_age_group_reason="Held back a year"),
        )
        assert response.status_code == 302
        assert Referral.objects.get().outside_age_group_reason == "Held back a year"

    def test_duplicate_upn_in_the_cohort_is_refused(self, lead_client, draft):
        response = lead_client.post(url("referral_new"), pupil_data(first_name="Other"))
        assert_error_summary(response, "already been referred")
        assert Referral.objects.count() == 1

    def test_temporary_upn_is_accepted_and_flagged(self, lead_client, cohort, participating):
        lead_client.post(url("referral_new"), pupil_data(upn=upn_for(5, temporary=True)))
        referral = Referral.objects.get()
        assert referral.upn_is_temporary
        assert "Temporary UPN" in lead_client.get(url("referral_check", referral)).content.decode()

    def test_bad_consent_shows_errors_and_records_nothing(self, lead_client, draft):
        tomorrow = date.fromordinal(date.today().toordinal() + 1)
        response = lead_client.post(
            url("referral_consent", draft),
            consent_data(
                given_by_name="",
                method="",
                text_confirmed="",
                given_on_day=str(tomorrow.day),
                given_on_month=str(tomorrow.month),
                given_on_year=str(tomorrow.year),
            ),
        )
        assert_error_summary(
            response,
            "Enter the name of the parent or carer",
            "Choose how consent was given",
            "today or in the past",
            "Confirm that the parent or carer was given",
        )
        assert not Consent.objects.exists()

    def test_without_consent_check_your_answers_stops_with_no_submit(self, lead_client, draft):
        page = lead_client.get(url("referral_check", draft)).content.decode()
        assert "You cannot submit until you record parental consent" in page
        assert "Send referral" not in page
        assert url("referral_consent", draft) in page
        response = lead_client.post(url("referral_check", draft))
        assert_error_summary(response, "You cannot submit until you record parental consent")
        draft.refresh_from_db()
        assert draft.status == Referral.Status.DRAFT

    def test_privacy_notice_linked_from_the_form_explains_every_field(self, lead_client, cohort, participating):
        form = lead_client.get(url("referral_new")).content.decode()
        assert url("privacy") in form
        notice = lead_client.get(url("privacy")).content.decode()
        for field in ("Date of birth", "Unique pupil number", "Needs", "Strengths", "Parental consent"):
            assert field in notice


class TestPrimaryAfterSubmission:
    def test_my_referrals_shows_statuses_and_the_decline_reason(self, lead_client, make_referral, secondary_lead):
        referral = make_referral()
        services.referral_decline(actor=secondary_lead, referral=referral, reason="No places for this year group")
        listing = lead_client.get(url("referral_list")).content.decode()
        assert referral.reference in listing and "Declined" in listing
        detail = lead_client.get(url("referral_detail", referral)).content.decode()
        assert "No places for this year group" in detail

    def test_leads_lists_show_their_pupils_names_but_no_other_details(
        self, lead_client, client, make_referral, secondary_lead
    ):
        """The decision changed (docs/decisions.md): a lead cannot tell their own pupils apart by reference. The
        name shows in the referring primary's and the receiving secondary's own lists; never the UPN or date of
        birth, never in the URL; each page leaves one access record with its references and no name."""
        referral = make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        listing = lead_client.get(url("referral_list")).content.decode()
        assert referral.reference in listing and "Zebedee Quillfeather" in listing
        for value in (CANARY["upn"], CANARY_DOB.isoformat(), CANARY_DOB.strftime("%d/%m/%Y")):
            assert value not in listing
        client.force_login(secondary_lead)
        school_page = client.get(url("school_cohort", urn=referral.receiving_school_id)).content.decode()
        assert referral.reference in school_page and "Zebedee Quillfeather" in school_page
        assert CANARY["upn"] not in school_page
        logged = AuditEvent.objects.filter(verb=services.LIST_VERB).order_by("pk")
        assert [e.data["what"] for e in logged] == ["page list", "school cohort page"]
        assert all(e.data["references"] == [referral.reference] for e in logged)
        assert_no_pupil_data(str([(e.target_label, e.data) for e in logged]))

    def test_accepted_record_is_read_only_for_the_primary(self, lead_client, make_referral, secondary_lead):
        referral = make_referral()
        services.referral_accept(actor=secondary_lead, referral=referral)
        detail = lead_client.get(url("referral_detail", referral)).content.decode()
        assert "can no longer be changed" in detail
        assert url("referral_pupil", referral) not in detail
        for name in ("referral_pupil", "referral_needs", "referral_contact", "referral_consent"):
            response = lead_client.get(url(name, referral))
            assert response["Location"] == url("referral_detail", referral), name
        response = lead_client.post(url("referral_pupil", referral), pupil_data(first_name="Changed"))
        assert response["Location"] == url("referral_detail", referral)
        referral.refresh_from_db()
        assert referral.first_name != "Changed"

    def test_submitted_but_not_accepted_can_still_be_changed(self, lead_client, make_referral):
        referral = make_referral()
        response = lead_client.post(
            url("referral_contact", referral), {"known_by_name": "Mr Later", "known_by_role": "Mentor"}
        )
        assert response["Location"] == url("referral_detail", referral)
        referral.refresh_from_db()
        assert referral.known_by_name == "Mr Later"


class TestSecondaryLead:
    @pytest.fixture
    def sec_client(self, client, secondary_lead):
        client.force_login(secondary_lead)
        return client

    def test_school_page_lists_referrals_to_answer_and_places(self, sec_client, make_referral, secondary):
        referral = make_referral()
        page = sec_client.get(url("school_cohort", urn=secondary.pk)).content.decode()
        assert referral.reference in page and "Referrals to answer" in page
        assert "Places available" in page

    def test_a_secondary_lead_does_not_refer_but_sees_referrals_to_their_school(self, sec_client, make_referral):
        referral = make_referral()
        start = sec_client.get(url("refer_start"))  # an explanation, not a bare 403 (the issue)
        assert start.status_code == 200 and "Referrals come from primary schools" in start.content.decode()
        assert url("referral_new") not in start.content.decode()
        # Opening the first question sends them to that explanation (it was a 403 telling a headteacher to "ask your
        # headteacher": the persona walk of 7 December); sending the form anyway is still refused.
        opened = sec_client.get(url("referral_new"))
        assert opened.status_code == 302 and opened["Location"] == url("refer_start")
        assert sec_client.post(url("referral_new"), {"first_name": "A"}).status_code == 403
        listing = sec_client.get(url("referral_list")).content.decode()
        assert referral.reference in listing and "Refer a pupil" not in listing

    def test_the_explanation_links_to_the_leads_own_school_page(self, sec_client, secondary, participating):
        """The link "See your school's places and waiting list" opens the school's page, not the programme's home
        page (the persona walk as a secondary's lead)."""
        page = sec_client.get(url("refer_start")).content.decode()
        school_page = url("school_cohort", urn=secondary.pk)
        assert f'<a class="govuk-link" href="{school_page}">See your school\'s places and waiting list</a>' in page
        assert f'href="{url("home")}">See your school' not in page

    def test_a_lead_of_several_secondaries_gets_a_named_link_to_each(
        self, sec_client, secondary_lead, secondary, participating, cohort
    ):
        from tests.accounts.factories import SchoolDutyFactory

        from .factories import ParticipatingSchoolFactory, secondary_school

        other = secondary_school(name="Second Academy")
        ParticipatingSchoolFactory(cohort=cohort, school=other, places=2)
        SchoolDutyFactory(membership__school=other, membership__user=secondary_lead, stepping_stones_lead=True)
        page = html.unescape(sec_client.get(url("refer_start")).content.decode())
        for school in (secondary, other):
            link = f'href="{url("school_cohort", urn=school.pk)}">See the places and waiting list at {school.name}</a>'
            assert link in page
        assert "See your school's places" not in page

    def test_accept(self, sec_client, make_referral, participating):
        referral = make_referral()
        response = sec_client.post(url("referral_decide", referral), {"decision": "accept"})
        assert response["Location"] == url("referral_detail", referral)
        referral.refresh_from_db()
        participating.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED and participating.places_taken == 1

    def test_decline_needs_a_reason(self, sec_client, make_referral):
        referral = make_referral()
        response = sec_client.post(url("referral_decide", referral), {"decision": "decline", "reason": ""})
        assert_error_summary(response, "Enter the reason for declining")
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SUBMITTED

    def test_waitlist_needs_a_priority(self, sec_client, make_referral):
        referral = make_referral()
        response = sec_client.post(url("referral_decide", referral), {"decision": "waitlist"})
        assert_error_summary(response, "Choose the pupil's priority")
        sec_client.post(url("referral_decide", referral), {"decision": "waitlist", "priority": "1"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.WAITLISTED and referral.priority == 1

    def test_accepting_past_capacity_is_refused_with_a_message(self, sec_client, make_referral, participating):
        ParticipatingSchool.objects.filter(pk=participating.pk).update(places=1, places_taken=1)
        referral = make_referral()
        response = sec_client.post(url("referral_decide", referral), {"decision": "accept"})
        assert_error_summary(response, "no places left")
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SUBMITTED

    def test_withdrawal_offers_the_place_to_the_top_of_the_waiting_list_and_the_lead_confirms(
        self, sec_client, make_referral, participating, secondary
    ):
        ParticipatingSchool.objects.filter(pk=participating.pk).update(places=1)
        placed = make_referral(n=1)
        sec_client.post(url("referral_decide", placed), {"decision": "accept"})
        later = make_referral(n=2)
        sec_client.post(url("referral_decide", later), {"decision": "waitlist", "priority": "3"})
        urgent = make_referral(n=3)
        sec_client.post(url("referral_decide", urgent), {"decision": "waitlist", "priority": "1"})
        page = sec_client.get(url("school_cohort", urn=secondary.pk)).content.decode()
        waiting = page[page.index("Waiting list") :]
        assert waiting.index(urgent.reference) < waiting.index(later.reference)
        response = sec_client.post(
            url("referral_withdraw", placed), {"kind": "withdrawn", "reason": "Family moved away"}
        )
        assert response.status_code == 302
        urgent.refresh_from_db()
        assert urgent.status == Referral.Status.OFFERED
        detail = sec_client.get(url("referral_detail", urgent)).content.decode()
        assert url("referral_confirm_place", urgent) in detail
        sec_client.post(url("referral_confirm_place", urgent))
        urgent.refresh_from_db()
        assert urgent.status == Referral.Status.ACCEPTED

    def test_progress_and_status(self, sec_client, make_referral):
        referral = make_referral()
        sec_client.post(url("referral_decide", referral), {"decision": "accept"})
        response = sec_client.post(
            url("referral_progress", referral),
            {"engagement_day": "yes", "summer_school": "", "sessions_attended": "x", "peer_mentor_assigned": "no"},
        )
        assert_error_summary(response, "whole number")
        sec_client.post(
            url("referral_progress", referral),
            {"engagement_day": "yes", "summer_school": "", "sessions_attended": "4", "peer_mentor_assigned": "yes"},
        )
        referral.progress.refresh_from_db()
        assert referral.progress.engagement_day_attended is True
        assert referral.progress.summer_school_attended is None
        assert referral.progress.sessions_attended == 4 and referral.progress.peer_mentor_assigned
        sec_client.post(url("referral_status", referral), {"status": "enrolled", "reason": "Started Year 7"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ENROLLED
        response = sec_client.post(url("referral_status", referral), {"status": "completed", "reason": "Finished"})
        assert response.status_code == 200  # not offered: only "active" follows enrolled
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ENROLLED

    def test_moved_school_with_a_reason(self, sec_client, make_referral):
        referral = make_referral()
        response = sec_client.post(url("referral_withdraw", referral), {"kind": "moved_school", "reason": ""})
        assert_error_summary(response, "Enter the reason the pupil is leaving")
        sec_client.post(url("referral_withdraw", referral), {"kind": "moved_school", "reason": "Moved to Kent"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.MOVED_SCHOOL and referral.leave_reason == "Moved to Kent"

    def test_consent_withdrawn_minimises_the_record(self, sec_client, make_referral):
        referral = make_referral()
        sec_client.post(url("referral_withdraw", referral), {"kind": "consent_withdrawn", "reason": "Parent asked"})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.WITHDRAWN and referral.minimised_at and not referral.first_name


class TestCoordinator:
    @pytest.fixture
    def vru_client(self, client, vru):
        client.force_login(vru)
        return client

    def test_pending_queue_and_routing(self, vru_client, make_referral, secondary):
        referral = make_referral(receiving_school=None)
        assert referral.status == Referral.Status.PENDING_DESTINATION
        queue = vru_client.get(url("pending")).content.decode()
        assert referral.reference in queue
        response = vru_client.post(url("referral_route", referral), {})
        assert_error_summary(response, "Choose the secondary school")
        vru_client.post(url("referral_route", referral), {"receiving_school": str(secondary.pk)})
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SUBMITTED and referral.receiving_school == secondary

    def test_a_decision_page_opened_again_after_acting_shows_the_referral_not_a_403(
        self, vru_client, make_referral, secondary
    ):
        """Back after routing, a stale tab or a colleague first: the referral and where it is now, nothing written."""
        referral = make_referral(receiving_school=None)
        route = url("referral_route", referral)
        vru_client.post(route, {"receiving_school": str(secondary.pk)})
        events = AuditEvent.objects.count()
        for response in (vru_client.get(route), vru_client.post(route, {"receiving_school": str(secondary.pk)})):
            assert response.status_code == 302 and response["Location"] == url("referral_detail", referral)
        assert AuditEvent.objects.count() == events
        page = html.unescape(vru_client.get(url("referral_detail", referral)).content.decode())
        assert f"Referral {referral.reference} is now “Waiting for the secondary school”" in page
        assert "“Route the referral to a secondary school” is no longer open" in page

    def test_dashboard_has_charts_with_tables(self, vru_client, make_referral):
        for n in range(6):
            make_referral(n=n)
        page = vru_client.get(url("dashboard")).content.decode()
        assert "<svg" in page and "govuk-table" in page
        assert "Places filled by school" in page and "Referrals by primary school" in page

    def test_dashboard_page_query_count_is_constant(
        self, vru_client, cohort, secondary, make_referral, django_assert_max_num_queries
    ):
        """The dashboard's queries do not grow with the referring primaries (a bar each) or the referrals."""
        make_referral(0)
        with django_assert_max_num_queries(40) as first:
            assert vru_client.get(url("dashboard")).status_code == 200
        for n in range(1, 7):
            school = primary_school()
            refer(actor=lead_of(school), cohort=cohort, referring_school=school, receiving_school=secondary, n=n)
        with django_assert_max_num_queries(len(first.captured_queries)):
            page = vru_client.get(url("dashboard")).content.decode()
        assert "7 primary schools referred pupils to the 2026 transition, each fewer than 5." in page
        assert page.count('class="portal-hbars__row"') >= 1  # the places bar is drawn

    def test_dashboard_draws_the_primaries_that_referred_most_and_links_the_file_of_all(
        self, vru_client, cohort, secondary, monkeypatch
    ):
        from stepping_stones import pages

        monkeypatch.setattr(pages, "PRIMARIES_CHARTED", 2)
        counts = {"Ash Primary School": 7, "Birch Primary School": 5, "Cedar Primary School": 6}
        counts |= {"Yew Primary School": 2, "Alder Primary School": 1}
        for name, count in counts.items():
            school = primary_school(name=name)
            for n in range(count):
                ReferralFactory(cohort=cohort, referring_school=school, receiving_school=secondary, submitted=True)
        ReferralFactory(cohort=cohort, referring_school=primary_school(name="Drafting Primary School"))

        page = vru_client.get(url("dashboard")).content.decode()
        assert (
            "5 primary schools referred pupils to the 2026 transition; 2 of them referred fewer than 5 each. "
            "The chart shows the 2 that referred the most." in html.unescape(page)
        )
        chart = page[page.index("Primary schools that referred the most pupils") :]
        assert "Ash Primary School" in chart and "Cedar Primary School" in chart
        assert "Birch Primary School" not in chart and "Yew Primary School" not in chart
        assert "Drafting Primary School" not in page
        export = url("primary_referrals_export", year=cohort.transition_year)
        assert f'href="{export}" download' in page

        response = vru_client.get(export)
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            'attachment; filename="stepping-stones-referrals-by-primary-2026.csv"'
        )
        lines = b"".join(response.streaming_content).decode().splitlines()
        # Shown counts most first; the small ones by name, so that their order ranks nothing.
        assert [line.split(",", 1)[1] for line in lines] == [
            "Primary school,Referrals",
            "Ash Primary School,7",
            "Cedar Primary School,6",
            "Birch Primary School,5",
            "Alder Primary School,fewer than 5",
            "Yew Primary School,fewer than 5",
        ]
        assert lines[0] == "\ufeffURN,Primary school,Referrals"  # the byte-order mark Excel reads UTF-8 by

    def test_dashboard_with_only_small_counts_draws_no_primary_chart(self, vru_client, make_referral):
        make_referral(0)
        page = html.unescape(vru_client.get(url("dashboard")).content.decode())
        assert "1 primary school referred fewer than 5 pupils to the 2026 transition." in page
        assert "Primary schools that referred the most pupils" not in page
        assert "Download referrals by primary school for the 2026 transition (CSV, counts only)" in page

    def test_referrals_by_primary_file_is_for_coordinators_of_a_real_transition(
        self, client, vru_client, cohort, primary_lead
    ):
        assert vru_client.get(url("primary_referrals_export", year=2099)).status_code == 404
        client.force_login(primary_lead)
        assert client.get(url("primary_referrals_export", year=cohort.transition_year)).status_code == 403

    def test_cohort_pages(self, vru_client, participating, cohort):
        listing = vru_client.get(url("cohorts")).content.decode()
        assert str(cohort) in listing
        detail = vru_client.get(url("cohort_detail", year=cohort.transition_year)).content.decode()
        assert participating.school.name in detail

    def test_new_transition_and_its_status(self, vru_client, cohort):
        response = vru_client.post(url("cohorts"), {"transition_year": "27"})
        assert_error_summary(response, "as 4 digits")
        response = vru_client.post(url("cohorts"), {"transition_year": str(cohort.transition_year)})
        assert_error_summary(response, "already a 2026 transition")
        response = vru_client.post(url("cohorts"), {"transition_year": "2027"})
        assert response["Location"] == url("cohort_detail", year=2027)
        vru_client.post(url("cohort_detail", year=2027), {"status": "running"})
        assert Cohort.objects.get(transition_year=2027).status == Cohort.Status.RUNNING
        response = vru_client.post(url("cohort_detail", year=2027), {"status": "sleeping"})
        assert_error_summary(response, "Select a valid choice")

    def test_add_and_change_a_participating_school(self, vru_client, cohort, secondary, primary):
        add = url("participating_school_add", year=cohort.transition_year)
        response = vru_client.post(add, {"urn": "12", "places": "ten", "feeders": "abc"})
        assert_error_summary(response, "a URN is 6 digits", "whole number")
        response = vru_client.post(add, {"urn": "999999", "places": "10", "feeders": ""})
        assert_error_summary(response, "no school with URN 999999")
        response = vru_client.post(add, {"urn": str(primary.pk), "places": "10", "feeders": ""})
        assert_error_summary(response, "is not a secondary school")
        assert not ParticipatingSchool.objects.exists()
        response = vru_client.post(add, {"urn": str(secondary.pk), "places": "10", "feeders": str(primary.pk)})
        assert response["Location"] == url("cohort_detail", year=cohort.transition_year)
        row = ParticipatingSchool.objects.get()
        assert row.places == 10 and list(row.feeder_primaries.all()) == [primary]
        change = url("participating_school", year=cohort.transition_year, urn=secondary.pk)
        assert str(primary.pk) in vru_client.get(change).content.decode()
        vru_client.post(change, {"urn": str(secondary.pk), "places": "12", "feeders": ""})
        row.refresh_from_db()
        assert row.places == 12 and not row.feeder_primaries.exists()

    def test_coordinator_refers_for_a_feeder_primary(self, vru_client, participating, primary):
        page = vru_client.get(url("referral_new")).content.decode()
        assert primary.name in page
        response = vru_client.post(url("referral_new"), pupil_data(school=str(primary.pk)))
        assert response.status_code == 302
        assert Referral.objects.get().referring_school == primary

    def test_import_lists_every_bad_row_and_writes_nothing(self, vru_client, cohort, participating, primary):
        from django.core.files.uploadedfile import SimpleUploadedFile

        header = ",".join(services.IMPORT_COLUMNS)
        good = (
            f"Ann,Example,{year6_dob(2026).isoformat()},{upn_for(11)},{primary.pk},{participating.school_id},,Kind,,,"
            f"Pat Example,carer,paper,{date.today().isoformat()},{services.CONSENT_TEXT_VERSIONS[-1]}"
        )
        bad_upn = good.replace(upn_for(11), "X12").replace("Ann", "Bob")
        bad_method = good.replace(upn_for(11), upn_for(12)).replace(",paper,", ",pigeon,")
        upload = SimpleUploadedFile("cohort.csv", "\n".join([header, good, bad_upn, bad_method]).encode())
        response = vru_client.post(url("cohort_import", year=cohort.transition_year), {"file": upload})
        assert_error_summary(response, "Line 3", "Line 4", "consent_method")
        assert not Referral.objects.exists()
        upload = SimpleUploadedFile("cohort.csv", "\n".join([header, good]).encode())
        response = vru_client.post(url("cohort_import", year=cohort.transition_year), {"file": upload})
        assert response.status_code == 302
        assert Referral.objects.count() == 1

    def test_evaluation_export_is_pseudonymised(self, vru_client, make_referral, cohort):
        referral = make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        response = vru_client.get(url("evaluation_export", year=cohort.transition_year))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode()
        assert referral.pseudonym in body
        assert_no_pupil_data(body)
        assert AuditEvent.objects.filter(verb="stepping_stones.evaluation.exported").exists()

    def test_evaluation_export_refused_to_leads(self, client, secondary_lead, cohort):
        client.force_login(secondary_lead)
        assert client.get(url("evaluation_export", year=cohort.transition_year)).status_code == 403

    def test_subject_access_and_erasure(self, vru_client, make_referral):
        referral = make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        assert vru_client.get(url("referral_subject_access", referral)).status_code == 200
        download = vru_client.post(url("referral_subject_access", referral))
        assert download["Content-Disposition"].startswith("attachment")
        assert CANARY["upn"] in download.content.decode()
        assert "no-store" in download["Cache-Control"]
        response = vru_client.post(url("referral_erase", referral), {"reason": "", "confirm": ""})
        assert_error_summary(response, "Enter why the record is being erased")
        vru_client.post(url("referral_erase", referral), {"reason": "Parent's request of 1 March", "confirm": "on"})
        referral.refresh_from_db()
        assert referral.erased_at and not referral.upn
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
        assert {"stepping_stones.referral.subject_access_export", "stepping_stones.referral.erased"} <= verbs

    def test_access_log_shows_views(self, vru_client, make_referral, primary_lead, client):
        referral = make_referral()
        vru_client.get(url("referral_detail", referral))
        log = vru_client.get(url("referral_access_log", referral)).content.decode()
        assert "Viewed (record)" in log

    def test_access_log_refused_to_leads(self, client, make_referral, secondary_lead):
        referral = make_referral()
        client.force_login(secondary_lead)
        assert client.get(url("referral_access_log", referral)).status_code == 403

    def test_needs_list(self, vru_client):
        response = vru_client.post(url("needs"), {"name": ""})
        assert_error_summary(response, "Enter the need")
        vru_client.post(url("needs"), {"name": "Anger management", "description": ""})
        assert "Anger management" in vru_client.get(url("needs")).content.decode()
        need = Need.objects.get(name="Anger management")
        vru_client.post(url("needs"), {"toggle": str(need.pk)})
        need.refresh_from_db()
        assert not need.is_active
        assert vru_client.post(url("needs"), {"toggle": "999999"}).status_code == 404

    def test_each_needs_row_form_carries_this_sessions_token(self, vru):
        """The needs table is a cached fragment: each row's form gets the request's CSRF token after the cache."""
        from django.test import Client

        NeedFactory(name="Anger management")
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(vru)
        page = browser.get(url("needs")).content.decode()
        assert "<!--csrf-token-->" not in page
        row = page[page.index('name="toggle"') - 300 : page.index('name="toggle"')]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
        need = Need.objects.get(name="Anger management")
        response = browser.post(url("needs"), {"csrfmiddlewaretoken": token, "toggle": str(need.pk)})
        assert response.status_code == 302
        need.refresh_from_db()
        assert not need.is_active


class TestFindingAPupil:
    def test_search_by_post_never_puts_criteria_in_the_url(self, lead_client, make_referral):
        referral = make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        page = lead_client.get(url("find")).content.decode()
        assert 'method="post"' in page and 'method="get"' not in page
        response = lead_client.post(url("find"), {"form": "search", "upn": CANARY["upn"].lower(), "name": ""})
        assert response.status_code == 200
        assert referral.reference in response.content.decode()
        assert AuditEvent.objects.filter(verb="stepping_stones.referral.viewed", data__what="search result").exists()
        response = lead_client.post(
            url("find"),
            {
                "form": "search",
                "name": "quillfeather",
                "dob_day": str(CANARY_DOB.day),
                "dob_month": str(CANARY_DOB.month),
                "dob_year": str(CANARY_DOB.year),
            },
        )
        assert referral.reference in response.content.decode()

    def test_empty_search_shows_an_error(self, lead_client):
        response = lead_client.post(url("find"), {"form": "search"})
        assert_error_summary(response, "Enter a UPN, a name or a date of birth")

    def test_reference_goes_to_the_record(self, lead_client, make_referral):
        referral = make_referral()
        response = lead_client.post(url("find"), {"form": "reference", "reference": referral.reference.lower()})
        assert response["Location"] == url("referral_detail", referral)
        response = lead_client.post(url("find"), {"form": "reference", "reference": "SS26-XXXXX"})
        assert_error_summary(response, "No referral you can see has this reference number")

    def test_search_finds_nothing_outside_the_users_schools(self, client, make_referral, cohort):
        make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        other = with_two_factor(lead_of(primary_school()))
        client.force_login(other)
        response = client.post(url("find"), {"form": "search", "upn": CANARY["upn"]})
        assert "No pupils found" in response.content.decode()


PUPIL_PAGES = [
    "referral_detail",
    "referral_pupil",
    "referral_destination",
    "referral_needs",
    "referral_contact",
    "referral_consent",
    "referral_check",
    "referral_confirmation",
    "referral_decide",
    "referral_withdraw",
]


class TestProtections:
    @pytest.mark.parametrize("name", PUPIL_PAGES)
    def test_other_schools_leads_and_programme_admins_get_404(self, client, draft, name):
        for user in (with_two_factor(lead_of(primary_school())), with_two_factor(programme_admin())):
            client.force_login(user)
            assert client.get(url(name, draft)).status_code == 404, name

    @pytest.mark.parametrize("name", [*PUPIL_PAGES, "home", "referral_list", "find"])
    def test_view_as_gets_404(self, client, draft, primary_lead, name):
        admin = with_two_factor(programme_admin())
        client.force_login(admin)
        session = client.session
        session[view_as.SESSION_KEY] = {"user_id": primary_lead.pk, "started_at": time.time()}
        session.save()
        kwargs = {"reference": draft.reference} if name in PUPIL_PAGES else {}
        assert client.get(reverse(f"stepping_stones:{name}", kwargs=kwargs)).status_code == 404

    def test_view_as_gets_404_on_every_page_even_as_a_coordinator(self, client, make_referral, vru, cohort, need):
        """View-as is refused at the edge (`pupil_page`) before any selector reads: every Stepping Stones page, the
        privacy notice aside (it holds no pupil data), answers 404 while viewing as the coordinator, who sees every
        record when signed in as themselves."""
        from stepping_stones.urls import urlpatterns

        referral = make_referral()
        kwargs_for = {
            "reference": referral.reference,
            "urn": referral.receiving_school_id,
            "year": cohort.transition_year,
            "pk": need.pk,
        }
        paths = [
            reverse(
                f"stepping_stones:{pattern.name}", kwargs={key: kwargs_for[key] for key in pattern.pattern.converters}
            )
            for pattern in urlpatterns
            if pattern.name != "privacy"
        ]
        assert len(paths) == len(urlpatterns) - 1
        client.force_login(vru)
        assert client.get(url("referral_detail", referral)).status_code == 200  # the coordinator sees it
        admin = with_two_factor(programme_admin())
        client.force_login(admin)
        session = client.session
        session[view_as.SESSION_KEY] = {"user_id": vru.pk, "started_at": time.time()}
        session.save()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 404, path
            assert referral.last_name not in response.content.decode(), path
        assert "govuk-back-link" not in client.get(url("privacy")).content.decode()  # no way in from the notice

    @pytest.mark.parametrize("name", PUPIL_PAGES)
    def test_every_pupil_page_is_no_store(self, lead_client, draft, name):
        response = lead_client.get(url(name, draft))
        assert "no-store" in response["Cache-Control"], name

    def test_list_and_search_pages_are_no_store(self, lead_client, secondary_lead, client, secondary, draft):
        for name in ("home", "referral_list", "find"):
            assert "no-store" in lead_client.get(url(name))["Cache-Control"]
        assert "no-store" in lead_client.post(url("find"), {"form": "search", "upn": "x"})["Cache-Control"]

    def test_viewing_a_record_is_logged_without_pupil_data(self, lead_client, draft):
        lead_client.get(url("referral_detail", draft))
        event = AuditEvent.objects.filter(verb="stepping_stones.referral.viewed").latest("id")
        assert event.target_label == draft.reference
        assert_no_pupil_data(repr(event.data) + event.reason + event.target_label)

    def test_sensitive_post_parameters_are_marked(self, rf, lead_client, draft):
        from django.views.debug import SafeExceptionReporterFilter

        from stepping_stones import views

        request = rf.post("/", {"first_name": CANARY["first_name"]})
        request.user = draft.created_by
        request.session = {}
        request.view_as_actor = None
        with contextlib.suppress(Exception):  # only the marking on the request matters here
            views.referral_pupil(request, reference="SS26-NOPE9")
        assert request.sensitive_post_parameters == "__ALL__"
        cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
        assert CANARY["first_name"] not in str(cleansed)

    def test_canary_never_in_a_url_of_the_secondary_journey(self, client, make_referral, secondary_lead, secondary):
        referral = make_referral(**{**CANARY, "date_of_birth": CANARY_DOB})
        client.force_login(secondary_lead)
        for path in (url("school_cohort", urn=secondary.pk), url("referral_detail", referral)):
            body = client.get(path).content.decode()
            for href in re.findall(r'(?:href|action)="([^"]*)"', body):
                assert_no_pupil_data(href)


def queries_for(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


class TestQueryCounts:
    @pytest.mark.parametrize(
        ("who", "name"),
        [
            ("primary_lead", "referral_list"),
            ("secondary_lead", "school_cohort"),
            ("vru", "pending"),
            ("vru", "dashboard"),
            ("vru", "home"),
            ("secondary_lead", "home"),
        ],
    )
    def test_list_pages_do_not_grow_with_rows(self, request, client, make_referral, secondary, who, name):
        client.force_login(request.getfixturevalue(who))
        kwargs = {"urn": secondary.pk} if name == "school_cohort" else {}
        path = reverse(f"stepping_stones:{name}", kwargs=kwargs)

        def grow(start, count):
            for n in range(start, start + count):
                if name == "pending":
                    make_referral(n=n, receiving_school=None)
                else:
                    make_referral(n=n)

        grow(0, 2)
        client.get(path)  # warm per-process caches (content types)
        few = queries_for(client, path)
        grow(2, 8)
        assert queries_for(client, path) <= few

    def test_access_log_does_not_grow(self, client, vru, make_referral):
        referral = make_referral()
        client.force_login(vru)
        path = url("referral_access_log", referral)
        client.get(path)
        few = queries_for(client, path)
        for _ in range(10):
            client.get(url("referral_detail", referral))
        assert queries_for(client, path) <= few


def test_canary_pupil_through_the_pages_never_reaches_a_log_an_email_or_a_url(
    client,
    cohort,
    participating,
    secondary,
    need,
    primary_lead,
    secondary_lead,
    vru,
    caplog,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """A pupil with a unique name, UPN and date of birth goes through every page of the journey: none of it appears in
    a log record, an email, a redirect or a link."""
    import logging

    caplog.set_level(logging.DEBUG)
    urls = []

    def visit(method, path, data=None):
        urls.append(path)
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(path, data or {})
        if response.status_code == 302:
            urls.append(response["Location"])
        body = response.content.decode() if not getattr(response, "streaming", False) else ""
        urls.extend(re.findall(r'(?:href|action|src)="([^"]*)"', body))
        return response

    client.force_login(primary_lead)
    visit("get", url("refer_start"))
    visit("post", url("referral_new"), pupil_data())
    referral = Referral.objects.get()
    visit("post", url("referral_destination", referral), {"receiving_school": str(secondary.pk)})
    visit("post", url("referral_needs", referral), {"needs": [str(need.pk)], "strengths": "Kind"})
    visit("post", url("referral_contact", referral), {"known_by_name": "Ms Example", "known_by_role": "Teacher"})
    visit("post", url("referral_consent", referral), consent_data())
    visit("get", url("referral_check", referral))
    visit("post", url("referral_check", referral))
    visit("get", url("referral_confirmation", referral))
    visit("post", url("find"), {"form": "search", "upn": CANARY["upn"]})
    client.force_login(secondary_lead)
    visit("get", url("school_cohort", urn=secondary.pk))
    visit("get", url("referral_detail", referral))
    visit("post", url("referral_decide", referral), {"decision": "accept"})
    client.force_login(vru)
    visit("get", url("referral_detail", referral))
    visit("get", url("referral_access_log", referral))
    visit("get", url("evaluation_export", year=cohort.transition_year))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert mailoutbox, "the journey sends emails (new referral, decision)"
    for message in mailoutbox:
        assert_no_pupil_data(message.subject + message.body + "".join(str(a[0]) for a in message.alternatives))
    for record in caplog.records:
        assert_no_pupil_data(record.getMessage() + repr(getattr(record, "__dict__", {})))
    for visited_url in urls:
        assert_no_pupil_data(visited_url)
    for event in AuditEvent.objects.all():
        assert_no_pupil_data(f"{event.data} {event.reason} {event.target_label}")


def test_an_infant_schools_lead_is_told_why_the_school_cannot_refer(client, cohort, participating):
    from .test_services import infant_school

    infant = infant_school()
    client.force_login(with_two_factor(lead_of(infant)))
    response = client.post(url("referral_new"), pupil_data())
    assert_error_summary(response, "Hillside Infant School does not teach Year 6")
    assert not Referral.objects.exists()


NO_YEAR_6 = "Your school does not teach Year 6, so it cannot refer pupils to Stepping Stones"


def test_an_infant_schools_lead_is_not_offered_a_referral_home_and_start_say_why(client, cohort, participating):
    from .test_services import infant_school

    infant = infant_school()
    client.force_login(with_two_factor(lead_of(infant)))
    home = html.unescape(client.get(url("home")).content.decode())
    assert NO_YEAR_6 in home and "Hillside Infant School for pupils aged 3 to 7" in home
    assert "Start a referral" not in home and url("refer_start") not in home
    start = client.get(url("refer_start"))
    body = html.unescape(start.content.decode())
    assert start.status_code == 200 and NO_YEAR_6 in body
    assert "Your school cannot refer pupils to Stepping Stones" in body
    assert url("referral_new") not in body and "Referrals come from primary schools" not in body
    new = client.get(url("referral_new"))  # never offered: back to the start page, which says why
    assert new.status_code == 302 and new["Location"] == url("refer_start")
    listing = client.get(url("referral_list")).content.decode()
    assert "Refer a pupil" not in listing
    assert not Referral.objects.exists()


def test_a_lead_of_a_primary_and_an_infant_school_is_offered_only_the_primary(
    client, cohort, participating, primary, primary_lead
):
    from tests.accounts.factories import SchoolMembershipFactory

    from .test_services import infant_school

    infant = infant_school()
    SchoolMembershipFactory(school=infant, user=primary_lead, headteacher=True)
    client.force_login(primary_lead)
    home = html.unescape(client.get(url("home")).content.decode())
    assert "Start a referral" in home and NO_YEAR_6 not in home
    page = html.unescape(client.get(url("referral_new")).content.decode())
    assert "Hillside Infant School" not in page
    assert f'name="school" value="{primary.pk}"' in page  # the one school left: no question, a hidden field
    response = client.post(url("referral_new"), pupil_data())
    assert response.status_code == 302
    assert Referral.objects.get().referring_school == primary


def test_a_lead_posting_their_infant_school_from_an_old_page_is_told_why_and_can_choose_the_primary(
    client, cohort, participating, primary, primary_lead
):
    """A page opened before the infant school stopped being offered still posts its URN: the answer is the reason
    (not "not one of the available choices"), next to the question, now shown so the primary can be chosen."""
    from tests.accounts.factories import SchoolMembershipFactory

    from .test_services import infant_school

    infant = infant_school()
    SchoolMembershipFactory(school=infant, user=primary_lead, headteacher=True)
    client.force_login(primary_lead)
    response = client.post(url("referral_new"), pupil_data(school=str(infant.pk)))
    assert_error_summary(response, "Hillside Infant School does not teach Year 6")
    body = html.unescape(response.content.decode())
    assert "not one of the available choices" not in body
    assert 'href="#id_school_0"' in body and f'name="school" type="radio" value="{primary.pk}"' in body
    assert not Referral.objects.exists()
    chosen = client.post(url("referral_new"), pupil_data(school=str(primary.pk)))
    assert chosen.status_code == 302 and Referral.objects.get().referring_school == primary


def test_a_coordinator_is_not_offered_an_infant_feeder(client, cohort, participating, vru):
    from .test_services import infant_school

    infant = infant_school()
    participating.feeder_primaries.add(infant)  # set before the services refused one
    client.force_login(vru)
    page = html.unescape(client.get(url("referral_new")).content.decode())
    assert participating.feeder_primaries.count() == 2
    assert "Hillside Infant School" not in page
    response = client.post(url("referral_new"), pupil_data(school=str(infant.pk)))
    assert_error_summary(response)
    assert not Referral.objects.exists()
