"""Possible duplicates: a school is never told whether another school has referred a pupil (issue 17, finding 1).

Referring a UPN another school has already referred answers exactly as a fresh referral does (form and API); the pair is
flagged to the coordinators, who merge them, decline one with a reason, or keep both. Each decision is audited, and
each school hears only about its own referral.
"""

import html

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import ParticipatingSchool, PossibleDuplicate, Referral
from tests.accounts.factories import with_two_factor

from .factories import lead_of, possible_duplicate, primary_school, refer, upn_for, year6_dob

pytestmark = pytest.mark.django_db
S = Referral.Status
SHARED_UPN = upn_for(321)


@pytest.fixture
def other_primary(participating):
    school = primary_school()
    participating.feeder_primaries.add(school)
    return school


@pytest.fixture
def other_lead(other_primary):
    return with_two_factor(lead_of(other_primary))


@pytest.fixture
def first_referral(cohort, primary, secondary, participating, primary_lead):
    """The first school's pupil, referred and submitted."""
    return refer(actor=primary_lead, cohort=cohort, referring_school=primary, receiving_school=secondary, n=321)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _payload(cohort, school, secondary, upn, first_name="Otherpupil"):
    return {
        "cohort": cohort.transition_year,
        "referring_school_urn": school.pk,
        "receiving_school_urn": secondary.pk,
        "first_name": first_name,
        "last_name": "Fictional",
        "date_of_birth": year6_dob().isoformat(),
        "upn": upn,
        "strengths": "Art",
    }


def _shape(value):
    """The structure of a JSON body: keys and types, not values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value[:1]]
    return type(value).__name__


# --- the oracle is closed ----------------------------------------------------------------------------------------


class TestNothingIsRevealed:
    def test_api_answers_as_for_a_fresh_referral(self, cohort, secondary, other_primary, other_lead, first_referral):
        api = _api(other_lead)
        fresh = api.post(
            reverse("stepping_stones-api:referrals"),
            _payload(cohort, other_primary, secondary, upn_for(900), first_name="Freshpupil"),
            format="json",
        )
        duplicate = api.post(
            reverse("stepping_stones-api:referrals"),
            _payload(cohort, other_primary, secondary, first_referral.upn),
            format="json",
        )
        assert fresh.status_code == duplicate.status_code == 201, duplicate.json()
        assert _shape(fresh.json()) == _shape(duplicate.json())
        body = duplicate.content.decode()
        assert first_referral.reference not in body and "already" not in body.lower()
        assert "duplicate" not in body.lower()
        assert duplicate.json()["status"] == fresh.json()["status"] == S.DRAFT
        # It can be submitted like any other, and the referring school sees its ordinary status.
        reference = duplicate.json()["reference"]
        api.post(reverse("stepping_stones-api:consent", kwargs={"reference": reference}), _consent(), format="json")
        submitted = api.post(reverse("stepping_stones-api:submit", kwargs={"reference": reference}), {}, format="json")
        assert submitted.status_code == 200 and submitted.json()["status"] == S.SUBMITTED
        # ...while the coordinators have the pair.
        flag = PossibleDuplicate.objects.get()
        assert {flag.first.reference, flag.second.reference} == {first_referral.reference, reference}
        assert flag.is_open

    def test_the_form_answers_as_for_a_fresh_referral(self, client, cohort, other_primary, other_lead, first_referral):
        client.force_login(other_lead)
        data = {
            "first_name": "Otherpupil",
            "last_name": "Fictional",
            "date_of_birth_day": "15",
            "date_of_birth_month": "3",
            "date_of_birth_year": str(year6_dob().year),
            "outside_age_group_reason": "",
            "action": "continue",
        }
        fresh = client.post(reverse("stepping_stones:referral_new"), {**data, "upn": upn_for(901)})
        duplicate = client.post(reverse("stepping_stones:referral_new"), {**data, "upn": first_referral.upn})
        assert fresh.status_code == duplicate.status_code == 302
        new = Referral.objects.exclude(pk=first_referral.pk).order_by("-id")
        assert fresh["Location"] == reverse(
            "stepping_stones:referral_destination", kwargs={"reference": new[1].reference}
        )
        assert duplicate["Location"] == reverse(
            "stepping_stones:referral_destination", kwargs={"reference": new[0].reference}
        )
        page = html.unescape(client.get(duplicate["Location"]).content.decode())
        assert "already" not in page and first_referral.reference not in page
        assert PossibleDuplicate.objects.filter(cohort=cohort).count() == 1

    def test_changing_the_upn_to_another_schools_is_accepted_and_flagged(
        self, cohort, secondary, other_primary, other_lead, first_referral
    ):
        mine = refer(actor=other_lead, cohort=cohort, referring_school=other_primary, receiving_school=secondary, n=555)
        services.referral_update(actor=other_lead, referral=mine, upn=first_referral.upn)
        mine.refresh_from_db()
        assert mine.upn == first_referral.upn and mine.status == S.SUBMITTED
        assert PossibleDuplicate.objects.filter(first=first_referral, second=mine).exists()

    def test_the_same_school_is_still_told_about_its_own_referral(self, cohort, primary, primary_lead, first_referral):
        """Its leads can see their own referral: that is no oracle, and stops a school referring a pupil twice."""
        with pytest.raises(services.ReferralInvalid) as refused:
            refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=321, first_name="Again")
        assert isinstance(refused.value.errors[0], services.DuplicateReferral)
        assert "already been referred by this school" in refused.value.message
        assert not PossibleDuplicate.objects.exists()

    def test_a_third_school_makes_two_more_pairs(
        self, cohort, participating, primary, primary_lead, other_primary, other_lead
    ):
        third = primary_school()
        participating.feeder_primaries.add(third)
        refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=7, submit=False)
        refer(actor=other_lead, cohort=cohort, referring_school=other_primary, n=7, submit=False)
        refer(actor=lead_of(third), cohort=cohort, referring_school=third, n=7, submit=False)
        assert PossibleDuplicate.objects.count() == 3


def _consent():
    return {
        "given_by_name": "Pat Fictional",
        "relationship": "guardian",
        "method": "email",
        "given_on": "2026-01-05",
        "text_version": services.CONSENT_TEXT_VERSIONS[-1],
    }


# --- the coordinators' decisions ---------------------------------------------------------------------------------


@pytest.fixture
def pair(cohort, secondary, participating, first_referral, other_primary, other_lead, secondary_lead):
    """The first school's pupil has a place; the second school referred the same UPN later."""
    services.referral_accept(actor=secondary_lead, referral=first_referral)
    second = refer(actor=other_lead, cohort=cohort, referring_school=other_primary, receiving_school=secondary, n=321)
    return PossibleDuplicate.objects.get(), first_referral, second


def _emails_for(user):
    return [m for m in mail.outbox if user.email in m.to]


class TestDecisions:
    def test_merge_keeps_one_and_tells_each_school_only_about_its_own(
        self, vru, pair, primary_lead, other_lead, django_capture_on_commit_callbacks
    ):
        flag, first, second = pair
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.duplicate_merge(actor=vru, duplicate=flag, keep=first.reference)
        flag.refresh_from_db()
        first.refresh_from_db()
        second.refresh_from_db()
        assert (flag.decision, flag.kept) == (PossibleDuplicate.Decision.MERGED, first)
        assert first.status == S.ACCEPTED  # unchanged
        assert second.status == S.WITHDRAWN and second.leave_reason == services.MERGED_REASON
        event = AuditEvent.objects.get(verb="stepping_stones.duplicate.merged")
        assert (event.from_state, event.to_state, event.actor_label) == ("open", "merged", vru.email)
        assert event.data == {"kept": first.reference, "closed": second.reference}
        to_first, to_second = _emails_for(primary_lead), _emails_for(other_lead)
        assert len(to_first) == 1 and len(to_second) == 1
        assert first.reference in to_first[0].body and second.reference not in to_first[0].body
        assert second.reference in to_second[0].body and first.reference not in to_second[0].body
        for message, other in ((to_first[0], second), (to_second[0], first)):
            text = message.subject + message.body
            assert other.referring_school.name not in text
            for personal in (first.first_name, second.first_name, first.upn, "Pat Fictional"):
                assert personal not in text

    def test_merging_away_a_record_with_a_place_frees_it(self, vru, pair, participating):
        flag, first, second = pair
        services.duplicate_merge(actor=vru, duplicate=flag, keep=second.reference)
        first.refresh_from_db()
        participating.refresh_from_db()
        assert first.status == S.WITHDRAWN and participating.places_taken == 0

    def test_decline_one_with_a_reason_its_school_sees(
        self, vru, pair, other_lead, client, django_capture_on_commit_callbacks
    ):
        flag, first, second = pair
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.duplicate_decline(actor=vru, duplicate=flag, decline=second.reference, reason="Already placed")
        second.refresh_from_db()
        assert second.status == S.DECLINED and second.decline_reason == "Already placed"
        assert PossibleDuplicate.objects.get().decision == "declined"
        assert AuditEvent.objects.filter(verb="stepping_stones.duplicate.declined", reason="Already placed").exists()
        assert [m.to for m in mail.outbox] == [[other_lead.email]]
        client.force_login(other_lead)
        page = client.get(reverse("stepping_stones:referral_detail", kwargs={"reference": second.reference}))
        assert "Already placed" in page.content.decode()

    def test_declining_a_draft_withdraws_it(self, vru, cohort):
        flag = possible_duplicate(cohort)
        services.duplicate_decline(actor=vru, duplicate=flag, decline=flag.second.reference, reason="A mistake")
        flag.second.refresh_from_db()
        assert flag.second.status == S.WITHDRAWN and flag.second.leave_reason == "A mistake"

    def test_decline_needs_a_reason_and_one_of_the_two(self, vru, pair):
        flag, first, second = pair
        with pytest.raises(services.DomainError) as no_reason:
            services.duplicate_decline(actor=vru, duplicate=flag, decline=second.reference, reason=" ")
        assert no_reason.value.field == "reason"
        with pytest.raises(services.DomainError) as stranger:
            services.duplicate_decline(actor=vru, duplicate=flag, decline="SS26-XXXXX", reason="No")
        assert stranger.value.field == "decline"
        assert PossibleDuplicate.objects.get().is_open
        second.refresh_from_db()
        assert second.status == S.SUBMITTED

    def test_keep_both_changes_nothing_for_either_school(self, vru, pair, django_capture_on_commit_callbacks):
        flag, first, second = pair
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.duplicate_keep_both(actor=vru, duplicate=flag, reason="Twins; UPN typo at one school")
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == (S.ACCEPTED, S.SUBMITTED)
        assert PossibleDuplicate.objects.get().decision == "kept_both"
        assert mail.outbox == []
        assert AuditEvent.objects.filter(verb="stepping_stones.duplicate.kept_both").exists()

    def test_a_decided_pair_is_not_decided_again(self, vru, pair):
        flag, first, second = pair
        services.duplicate_keep_both(actor=vru, duplicate=flag)
        with pytest.raises(services.Conflict):
            services.duplicate_merge(actor=vru, duplicate=flag, keep=first.reference)

    def test_only_coordinators_decide(self, pair, primary_lead, other_lead, secondary_lead):
        flag, first, second = pair
        for person in (primary_lead, other_lead, secondary_lead):
            with pytest.raises(services.PermissionDenied):
                services.duplicate_keep_both(actor=person, duplicate=flag)
        assert PossibleDuplicate.objects.get().is_open


# --- the API -----------------------------------------------------------------------------------------------------


class TestApi:
    def test_list_and_decisions(self, vru, pair):
        flag, first, second = pair
        api = _api(vru)
        listed = api.get(reverse("stepping_stones-api:duplicates"))
        assert listed.status_code == 200
        row = listed.json()["results"][0]
        assert row["id"] == flag.pk and [r["reference"] for r in row["referrals"]] == [
            first.reference,
            second.reference,
        ]
        assert "upn" not in row["referrals"][0] and "first_name" not in row["referrals"][0]
        bad = api.post(
            reverse("stepping_stones-api:duplicate-decline", kwargs={"pk": flag.pk}),
            {"decline": second.reference, "reason": ""},
            format="json",
        )
        assert bad.status_code == 400 and "reason" in bad.json()["errors"]
        merged = api.post(
            reverse("stepping_stones-api:duplicate-merge", kwargs={"pk": flag.pk}),
            {"keep": first.reference},
            format="json",
        )
        assert merged.status_code == 200 and merged.json()["decision"] == "merged"
        assert merged.json()["kept"] == first.reference
        again = api.post(reverse("stepping_stones-api:duplicate-keep-both", kwargs={"pk": flag.pk}), {}, format="json")
        assert again.status_code == 409 and again.json()["code"] == "already_decided"
        assert api.get(reverse("stepping_stones-api:duplicates")).json()["results"] == []
        decided = api.get(reverse("stepping_stones-api:duplicates"), {"decision": "merged"}).json()["results"]
        assert [r["id"] for r in decided] == [flag.pk]
        assert api.get(reverse("stepping_stones-api:duplicates"), {"decision": "nonsense"}).status_code == 400

    def test_leads_are_refused(self, pair, primary_lead):
        flag, first, second = pair
        api = _api(primary_lead)
        assert api.get(reverse("stepping_stones-api:duplicates")).status_code == 403
        url = reverse("stepping_stones-api:duplicate-merge", kwargs={"pk": flag.pk})
        assert api.post(url, {"keep": first.reference}, format="json").status_code == 403
        assert PossibleDuplicate.objects.get().is_open

    def test_unknown_pair_is_404(self, vru, db):
        api = _api(vru)
        url = reverse("stepping_stones-api:duplicate-keep-both", kwargs={"pk": 999999})
        assert api.post(url, {}, format="json").status_code == 404

    def test_list_query_count_is_constant(self, vru, cohort, django_assert_max_num_queries):
        api = _api(vru)
        possible_duplicate(cohort)
        with django_assert_max_num_queries(20) as few:
            assert api.get(reverse("stepping_stones-api:duplicates")).status_code == 200
        for _ in range(6):
            possible_duplicate(cohort)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(api.get(reverse("stepping_stones-api:duplicates")).json()["results"]) == 7


# --- the pages ---------------------------------------------------------------------------------------------------


class TestPages:
    def test_list_decide_and_see_the_decision(self, client, vru, pair):
        flag, first, second = pair
        client.force_login(vru)
        listed = client.get(reverse("stepping_stones:duplicates"))
        assert first.reference in listed.content.decode()
        page_url = reverse("stepping_stones:duplicate_decide", kwargs={"pk": flag.pk})
        page = client.get(page_url).content.decode()
        assert first.first_name in page and second.first_name in page  # the coordinators see both records
        assert AuditEvent.objects.filter(verb="stepping_stones.referral.viewed", target_id=str(first.pk)).exists()
        refused = client.post(page_url, {"decision": f"decline:{second.reference}", "reason": ""})
        assert refused.status_code == 200
        assert "govuk-error-summary" in refused.content.decode() and "Enter the reason" in refused.content.decode()
        assert PossibleDuplicate.objects.get().is_open
        done = client.post(page_url, {"decision": f"merge:{first.reference}", "reason": ""}, follow=True)
        assert "Merged" in done.content.decode()
        assert PossibleDuplicate.objects.get().decision == "merged"
        assert first.reference not in client.get(reverse("stepping_stones:duplicates")).content.decode()
        decided = client.get(reverse("stepping_stones:duplicates") + "?show=decided").content.decode()
        assert first.reference in decided
        assert "Merged" in client.get(page_url).content.decode()

    def test_the_home_page_counts_open_pairs(self, client, vru, pair):
        client.force_login(vru)
        page = client.get(reverse("stepping_stones:home")).content.decode()
        assert reverse("stepping_stones:duplicates") in page

    def test_list_page_query_count_is_constant(self, client, vru, cohort, django_assert_max_num_queries):
        client.force_login(vru)
        possible_duplicate(cohort)
        with django_assert_max_num_queries(40) as few:
            assert client.get(reverse("stepping_stones:duplicates")).status_code == 200
        for _ in range(6):
            possible_duplicate(cohort)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("stepping_stones:duplicates")).status_code == 200

    def test_leads_get_403(self, client, pair, primary_lead):
        client.force_login(primary_lead)
        assert client.get(reverse("stepping_stones:duplicates")).status_code == 403
        flag = pair[0]
        assert client.get(reverse("stepping_stones:duplicate_decide", kwargs={"pk": flag.pk})).status_code == 403


def test_places_are_never_overfilled_by_a_merge(vru, cohort, secondary, participating):
    """Merging two accepted records frees exactly one place."""
    participating.places = 3
    participating.save()
    flag = possible_duplicate(cohort, first_traits={"accepted": True, "receiving_school": secondary})
    ParticipatingSchool.objects.filter(pk=participating.pk).update(places_taken=1)
    services.duplicate_merge(actor=vru, duplicate=flag, keep=flag.second.reference)
    participating.refresh_from_db()
    assert participating.places_taken == 0
