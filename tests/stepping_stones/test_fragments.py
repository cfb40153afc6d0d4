"""The cached parts of the Stepping Stones pages (core.fragments, issue 22): a repeat view reads less and shows the
same; a real change (a status, a new referral, a place, a duty removed) shows at once; the access record of a pupil
list is written on every view, cached or not, with the references shown; a lead's names are never shown to anyone
else."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import SchoolDuty
from accounts.services.memberships import duty_remove
from core.models import AuditEvent
from stepping_stones import services
from stepping_stones.models import PossibleDuplicate, Referral
from tests.accounts.factories import SchoolDutyFactory, headteacher_of

from .factories import possible_duplicate, primary_school, refer

pytestmark = pytest.mark.django_db(transaction=True)
LISTED = "stepping_stones.referrals.listed"
REFERRALS = reverse("stepping_stones:referral_list")
DASHBOARD = reverse("stepping_stones:dashboard")
PENDING = reverse("stepping_stones:pending")
DUPLICATES = reverse("stepping_stones:duplicates")


def main(response) -> str:
    """The page's main element (the header's sign-out form carries a CSRF token that differs per response)."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def get(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return main(response), len(queries)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get(reverse("stepping_stones:home"))  # the day's first request writes last_seen_at: not the page's
    return client


def cached_twice(client, url) -> str:
    first, cold = get(client, url)
    second, warm = get(client, url)
    assert second == first
    assert warm < cold, (cold, warm)
    return second


def listed_records() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=LISTED).order_by("id"))


class TestReferralList:
    def test_every_view_is_recorded_with_the_references_shown_cached_or_not(self, make_referral, vru):
        referrals = [make_referral(n) for n in range(3)]
        client = signed_in(vru)
        html = cached_twice(client, REFERRALS)
        records = listed_records()
        assert len(records) == 2
        newest_first = [referral.reference for referral in reversed(referrals)]
        for record in records:
            assert record.actor_id == vru.pk
            assert record.data == {"what": "page list", "references": newest_first, "filters": {}}
        for reference in newest_first:
            assert reference in html

    def test_each_page_records_its_own_references(self, make_referral, vru):
        referrals = [make_referral(n) for n in range(27)]  # 25 a page
        client = signed_in(vru)
        for _ in range(2):
            main(client.get(REFERRALS + "?page=2"))
        records = listed_records()
        expected = [referral.reference for referral in reversed(referrals)][25:]
        assert [record.data["references"] for record in records] == [expected, expected]

    def test_a_new_referral_and_a_status_change_show_at_once(self, make_referral, vru, secondary_lead):
        first = make_referral(0)
        client = signed_in(vru)
        before = cached_twice(client, REFERRALS)
        assert "Accepted" not in before
        services.referral_accept(actor=secondary_lead, referral=first)
        after, _ = get(client, REFERRALS)
        assert "Accepted" in after
        second = make_referral(1)
        again, _ = get(client, REFERRALS)
        assert second.reference in again and first.reference in again
        assert listed_records()[-1].data["references"] == [second.reference, first.reference]

    def test_a_leads_names_are_theirs_alone(self, make_referral, primary_lead, vru):
        referral = make_referral(0)
        lead_page = cached_twice(signed_in(primary_lead), REFERRALS)
        assert referral.first_name in lead_page
        coordinator_page, _ = get(signed_in(vru), REFERRALS)
        assert referral.reference in coordinator_page
        assert referral.first_name not in coordinator_page

    def test_a_duty_removed_takes_the_schools_referrals_off_the_list(self, cohort, make_referral, primary_lead):
        other = primary_school()
        duty = SchoolDutyFactory(
            membership__school=other, membership__user=primary_lead, duty=SchoolDuty.Duty.STEPPING_STONES_LEAD
        )
        ours = make_referral(0)
        theirs = refer(actor=primary_lead, cohort=cohort, referring_school=other, n=1)
        client = signed_in(primary_lead)
        before = cached_twice(client, REFERRALS)
        assert theirs.reference in before and theirs.first_name in before
        duty_remove(actor=headteacher_of(other), duty_id=duty.pk, reason="Left the school")
        after, _ = get(client, REFERRALS)
        assert ours.reference in after
        assert theirs.reference not in after and theirs.first_name not in after
        assert listed_records()[-1].data["references"] == [ours.reference]

    def test_the_last_lead_duty_removed_is_refused_not_from_the_cache(self, make_referral, primary, primary_lead):
        make_referral(0)
        client = signed_in(primary_lead)
        cached_twice(client, REFERRALS)
        duty = SchoolDuty.objects.get(membership__user=primary_lead)
        duty_remove(actor=headteacher_of(primary), duty_id=duty.pk, reason="Left the school")
        assert client.get(REFERRALS).status_code == 403


class TestDashboard:
    def test_a_repeat_view_is_cached_and_a_decision_or_a_place_shows_at_once(
        self, make_referral, vru, secondary_lead, participating
    ):
        referral = make_referral(0)
        client = signed_in(vru)
        before = cached_twice(client, DASHBOARD)
        assert "Accepted" not in before
        services.referral_accept(actor=secondary_lead, referral=referral)
        after, _ = get(client, DASHBOARD)
        assert "Accepted" in after
        # Places available: a total, never suppressed.
        assert re.search(r"Places available</dt><dd[^>]*>3<", after)
        services.participating_school_set(
            actor=vru, cohort=participating.cohort, school=participating.school, places=40, feeder_primaries=[]
        )
        changed, _ = get(client, DASHBOARD)
        assert re.search(r"Places available</dt><dd[^>]*>40<", changed)

    def test_the_cached_charts_go_into_a_whole_page_never_stored_by_a_browser(self, make_referral, vru):
        make_referral(0)
        client = signed_in(vru)
        for _ in range(2):
            response = client.get(DASHBOARD)
            html = response.content.decode()
            assert "stepping-stones:fragment" not in html
            assert html.count("<main") == 1 and html.rstrip().endswith("</html>")
            assert "no-store" in response["Cache-Control"]
            assert int(response.get("Content-Length", len(response.content))) == len(response.content)

    def test_small_counts_stay_suppressed_when_cached(self, make_referral, vru):
        make_referral(0)
        html = cached_twice(signed_in(vru), DASHBOARD)
        assert "fewer than 5" in html.lower()

    def test_another_transition_is_another_fragment(self, make_referral, vru, cohort):
        from .factories import CohortFactory

        CohortFactory(transition_year=2027)
        make_referral(0)
        client = signed_in(vru)
        this_year = cached_twice(client, DASHBOARD + "?year=2026")
        next_year, _ = get(client, DASHBOARD + "?year=2027")
        assert next_year != this_year


class TestPending:
    def test_a_routed_referral_leaves_the_list(self, cohort, primary, primary_lead, secondary, participating, vru):
        referral = refer(actor=primary_lead, cohort=cohort, referring_school=primary, n=0)
        assert referral.status == Referral.Status.PENDING_DESTINATION
        client = signed_in(vru)
        assert referral.reference in cached_twice(client, PENDING)
        services.referral_set_destination(actor=vru, referral=referral, receiving_school=secondary)
        after, _ = get(client, PENDING)
        assert referral.reference not in after
        assert "No referrals are waiting for a destination." in after


class TestDuplicates:
    def test_a_decided_pair_moves_from_open_to_decided(self, vru):
        flag = possible_duplicate()
        client = signed_in(vru)
        assert flag.first.reference in cached_twice(client, DUPLICATES)
        assert "No possible duplicates have been decided yet." in cached_twice(client, DUPLICATES + "?show=decided")
        services.duplicate_keep_both(actor=vru, duplicate=flag, reason="Twins")
        assert PossibleDuplicate.objects.get(pk=flag.pk).decision != PossibleDuplicate.Decision.OPEN
        open_pairs, _ = get(client, DUPLICATES)
        assert flag.first.reference not in open_pairs
        decided, _ = get(client, DUPLICATES + "?show=decided")
        assert flag.first.reference in decided
