"""The wands pages' cached fragments (core.fragments, wands.views): a repeat view skips the page's queries and shows
the same page; a change made through the services or the pages (a decision, a new request, a stock delivery, a return
taken in, a role ended, a school renamed or closed) shows on the very next view; what must run on every request (the
gates, the filters' errors, the CSRF tokens) still does."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ProgrammeRole, SchoolDuty, User
from accounts.services.memberships import duty_remove
from accounts.services.programme_roles import programme_role_end
from schools.models import School
from tests.accounts.factories import ProgrammeRoleFactory, SchoolFactory, SchoolMembershipFactory, programme_admin
from wands import services
from wands.models import WandIssue, WandRequest

from .conftest import with_two_factor
from .factories import WandIssueFactory, WandRequestFactory, staff_with_wand_duty

pytestmark = pytest.mark.django_db(transaction=True)

# What differs between two responses of the same page: the CSRF token (masked anew each time) and the CSP nonce.
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def view(client, url, params=None):
    """The page's HTML (tokens and nonces masked) and how many queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return PER_RESPONSE.sub(r'\1="-"', response.content.decode()), len(queries)


def cached_view(client, url, params=None):
    """Two views in a row: the second from the fragment (fewer queries) and the same page."""
    first, cold = view(client, url, params)
    second, warm = view(client, url, params)
    assert warm < cold, (cold, warm)
    assert second == first
    return second


class TestQueue:
    url = reverse("wands:queue")

    @pytest.fixture
    def queued(self, rules):
        return [
            WandRequestFactory(school=SchoolFactory(name="Mossbourne")),
            WandRequestFactory(school=SchoolFactory(name="Clapton Girls"), approved=True),
        ]

    def test_page_one_filtered_and_later_pages_are_cached_each_on_their_own(self, client, admin, queued):
        WandRequestFactory.create_batch(25, school=queued[0].school)
        client.force_login(admin)
        first = cached_view(client, self.url)
        assert "27 requests" in first and 'name="requests"' in first
        submitted = cached_view(client, self.url, {"status": "submitted"})
        assert "26 requests" in submitted and queued[1].reference not in submitted
        later = cached_view(client, self.url, {"page": "2"})
        assert later.count('<tr class="govuk-table__row">') == 2 + 1  # two rows and the header

    def test_the_approve_form_keeps_its_own_token_and_filters(self, admin, queued, add_stock):
        add_stock(10)
        client = Client(enforce_csrf_checks=True)
        client.force_login(admin)
        client.get(self.url, {"status": "submitted"})
        response = client.get(self.url, {"status": "submitted"})  # from the fragment
        body = response.content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        assert 'name="queue_filters" value="status=submitted"' in body
        approved = client.post(
            reverse("wands:approve_many"),
            {"csrfmiddlewaretoken": token, "requests": [queued[0].pk], "queue_filters": "status=submitted"},
        )
        assert approved.status_code == 302 and approved.url.endswith("?status=submitted")
        assert WandRequest.objects.get(pk=queued[0].pk).status == WandRequest.Status.APPROVED

    def test_a_decision_made_on_the_page_shows_at_once(self, client, admin, queued, add_stock):
        add_stock(10)
        client.force_login(admin)
        before = cached_view(client, self.url, {"status": "submitted"})
        assert queued[0].reference in before
        client.post(reverse("wands:approve_many"), {"requests": [queued[0].pk], "queue_filters": "status=submitted"})
        after, _ = view(client, self.url, {"status": "submitted"})
        # An empty page shows no table, and says so (it said nothing before the persona walk of 7 December).
        assert queued[0].reference not in after and "No requests match these filters." in after
        everything, _ = view(client, self.url)
        assert f'value="{queued[0].pk}"' not in everything  # no tick box: it is approved now
        assert "Stock: 10 on hand, 2 reserved, 8 available." in everything

    def test_a_new_request_shows_at_once(self, client, admin, queued, submit):
        client.force_login(admin)
        assert "2 requests" in cached_view(client, self.url)
        new = submit(2)
        after, _ = view(client, self.url)
        assert "3 requests" in after and new.reference in after

    def test_a_school_renamed_in_the_register_shows_at_once(self, client, admin, queued):
        client.force_login(admin)
        assert "Mossbourne" in cached_view(client, self.url)
        School.objects.filter(pk=queued[0].school_id).update(name="Mossbourne Community Academy")
        assert "Mossbourne Community Academy" in view(client, self.url)[0]

    def test_the_tick_boxes_go_with_the_admin_role(self, client, queued):
        both = with_two_factor(ProgrammeRoleFactory(kind=ProgrammeRole.Kind.FULFILMENT_STAFF).user)
        role = ProgrammeRoleFactory(user=both, kind=ProgrammeRole.Kind.PROGRAMME_ADMIN)
        client.force_login(both)
        before = cached_view(client, self.url)
        assert 'name="requests"' in before and "Approve selected requests" in before
        programme_role_end(actor=programme_admin(), role_id=role.pk, reason="Moved team")
        after, _ = view(client, self.url)
        assert 'name="requests"' not in after and "Approve selected requests" not in after
        assert queued[0].reference in after  # fulfilment staff still see the queue

    def test_a_person_without_the_role_is_refused_after_a_cached_view(self, client, admin, queued):
        client.force_login(admin)
        cached_view(client, self.url)
        role = ProgrammeRole.objects.get(user=admin)
        programme_role_end(actor=programme_admin(), role_id=role.pk, reason="Left")
        assert client.get(self.url).status_code == 403

    def test_a_bad_date_still_shows_its_error_summary(self, client, admin, queued):
        client.force_login(admin)
        bad = {"submitted_from_day": "31", "submitted_from_month": "2", "submitted_from_year": "2026"}
        page = cached_view(client, self.url, bad)
        assert "There is a problem" in page and "Submitted from must be a real date" in page
        assert 'value="31"' in page  # what was typed is kept
        assert "Approve selected requests" not in page and queued[0].reference not in page


class TestStock:
    url = reverse("wands:stock")

    def test_a_delivery_recorded_on_the_page_shows_at_once(self, client, admin, rules, add_stock):
        add_stock(5, batch="B-1")
        client.force_login(admin)
        before = cached_view(client, self.url)
        assert "B-1" in before and "B-2" not in before
        client.post(reverse("wands:stock_delivery"), {"quantity": "7", "batch": "B-2"})
        after, _ = view(client, self.url)
        assert "B-2" in after and ">12<" in after

    def test_a_request_waiting_for_stock_shows_at_once(self, client, admin, rules, submit):
        services.stock_delivery_record(actor=admin, quantity=1, batch="B-1")
        client.force_login(admin)
        assert "Waiting for stock" not in cached_view(client, self.url)
        waiting = submit(3)
        services.wand_request_approve(wand_request_id=waiting.pk, actor=admin)
        after, _ = view(client, self.url)
        assert "Waiting for stock" in after and waiting.reference in after

    def test_a_renamed_person_shows_at_once(self, client, admin, rules):
        User.objects.filter(pk=admin.pk).update(full_name="Pat Admin")
        services.stock_delivery_record(actor=admin, quantity=1, batch="B-1")
        other = with_two_factor(programme_admin())
        client.force_login(other)  # the renamed person is not the reader: only the ledger shows their name
        assert "Pat Admin" in cached_view(client, self.url)
        User.objects.filter(pk=admin.pk).update(full_name="Pat Admin-Smith")
        assert "Pat Admin-Smith" in view(client, self.url)[0]


class TestReturns:
    url = reverse("wands:returns")

    @pytest.fixture
    def expected_return(self, submit, admin, fulfilment, head, add_stock):
        add_stock(5)
        wand_request = submit(2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        services.wand_request_dispatch(
            wand_request_id=wand_request.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
        )
        services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
        return services.wand_issue_report(
            wand_request_id=wand_request.pk, actor=head, kind="faulty", outcome="return", quantity=1, details="No beep"
        )

    def test_each_view_has_its_own_working_token_and_taking_the_return_in_shows_at_once(
        self, fulfilment, expected_return
    ):
        client = Client(enforce_csrf_checks=True)
        client.force_login(fulfilment)
        page = cached_view(client, self.url)
        assert "No beep" in page and 'value="-"' in page
        body = client.get(self.url).content.decode()  # from the fragment, with this response's token
        assert "csrf-token" not in body  # the placeholder was replaced
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)">\s*<input type="hidden" name="issue"', body)
        response = client.post(
            self.url, {"csrfmiddlewaretoken": token.group(1), "issue": expected_return.pk, "condition": "working"}
        )
        assert response.status_code == 302
        assert WandIssue.objects.get(pk=expected_return.pk).status != WandIssue.Status.RETURN_EXPECTED
        after, _ = view(client, self.url)
        assert "No beep" not in after and "No returns are expected." in after

    def test_a_new_return_shows_at_once(self, client, fulfilment, rules):
        client.force_login(fulfilment)
        assert "No returns are expected." in cached_view(client, self.url)
        WandIssueFactory(outcome=WandIssue.Outcome.RETURN, details="Cracked case")
        assert "Cracked case" in view(client, self.url)[0]


class TestSchoolsOwnRequests:
    url = reverse("wands:home")

    def test_a_request_sent_on_the_pages_shows_at_once(self, client, head, school):
        client.force_login(head)
        before = cached_view(client, self.url)
        assert "Your school has not requested any wands yet." in before
        client.post(
            reverse("wands:request_new", kwargs={"urn": school.pk}),
            {
                "quantity": "3",
                "contact_name": "Sam Site",
                "contact_phone": "020 7946 0000",
                "delivery_address": "1 High Street\nLondon",
                "delivery_postcode": "E8 1AA",
                "policy_confirmed": "on",
            },
        )
        key = client.session[f"wand_request_draft:{school.pk}"]["idempotency_key"]
        client.post(reverse("wands:request_check", kwargs={"urn": school.pk}), {"idempotency_key": key})
        sent = WandRequest.objects.get(school=school)
        after, _ = view(client, self.url)
        assert sent.reference in after and "not requested any wands yet" not in after

    def test_an_allowance_change_and_a_closure_show_at_once(self, client, head, admin, school):
        client.force_login(head)
        assert "Request wands" in cached_view(client, self.url)
        services.allowance_override_set(actor=admin, school=school, override=9, reason="Two sites")
        after, _ = view(client, self.url)
        assert "9 (set for your school: Two sites)" in after
        School.objects.filter(pk=school.pk).update(status=School.Status.CLOSED)
        closed, _ = view(client, self.url)
        assert "as closed, so it cannot request wands" in closed and "Request wands" not in closed

    def test_each_school_of_a_headteacher_has_its_own(self, client, head, school, rules):
        other = SchoolFactory(name="Second School", number_of_pupils=100, phase="primary")
        SchoolMembershipFactory(school=other, user=head, headteacher=True)
        WandRequestFactory(school=other)
        client.force_login(head)
        mine = cached_view(client, self.url, {"school": school.pk})
        theirs = cached_view(client, self.url, {"school": other.pk})
        assert "not requested any wands yet" in mine and "not requested any wands yet" not in theirs
        assert client.get(self.url, {"school": 999999}).status_code == 404

    def test_the_schools_follow_the_persons_duties(self, client, head, school):
        staff = with_two_factor(staff_with_wand_duty(school))
        client.force_login(staff)
        assert school.name in cached_view(client, self.url)
        duty_remove(actor=head, duty_id=SchoolDuty.objects.get(membership__user=staff).pk, reason="Left the role")
        assert client.get(self.url).status_code == 403


class TestDashboard:
    url = reverse("wands:dashboard")

    def test_one_entry_for_every_programme_admin_and_a_change_shows_at_once(self, client, admin, fulfilment, rules):
        WandRequestFactory(approved=True, quantity=3)
        client.force_login(admin)
        first, cold = view(client, self.url)
        assert '<dd class="govuk-summary-list__value">3</dd>' in first and "No deliveries yet" in first
        other = Client()
        other.force_login(fulfilment)
        assert view(other, self.url)[1] < cold - 3  # the figures' queries were the first admin's
        assert view(client, self.url)[0] == first
        WandRequestFactory(delivered=True, quantity=4)
        after, _ = view(client, self.url)
        assert '<dd class="govuk-summary-list__value">7</dd>' in after  # wands requested: 3 + 4
        assert "No deliveries yet" not in after

    def test_the_gate_runs_on_every_view(self, client, admin, head, rules):
        client.force_login(admin)
        cached_view(client, self.url)
        client.force_login(head)
        assert client.get(self.url).status_code == 403
