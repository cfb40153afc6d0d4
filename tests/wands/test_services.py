"""The wand programme's rules, through its services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent
from tests.accounts.factories import SchoolFactory, SchoolMembershipFactory
from wands import services
from wands.models import AllowanceChange, StockLevel, StockMovement, WandIssue, WandRequest, WandSerial
from wands.selectors import school_allowance_figures, wands_short

from .factories import WandRequestFactory, staff_with_wand_duty

pytestmark = pytest.mark.django_db


def stock():
    return StockLevel.objects.get(pk=1)


def assert_ledger_matches_stock():
    totals = StockMovement.objects.aggregate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    level = stock()
    assert (totals["on_hand"] or 0, totals["reserved"] or 0) == (level.on_hand, level.reserved)


class TestAllowance:
    def test_rule_by_phase_and_pupils(self, school):
        figures = school_allowance_figures(school=school)
        assert (figures.allowance, figures.in_progress, figures.received, figures.remaining) == (6, 0, 0, 6)
        small = SchoolFactory(number_of_pupils=300)
        assert school_allowance_figures(school=small).allowance == 4

    def test_override_replaces_rule_and_keeps_history(self, school, admin):
        services.allowance_override_set(actor=admin, school=school, override=10, reason="Two sites")
        services.allowance_override_set(actor=admin, school=school, override=None, reason="Second site closed")
        figures = school_allowance_figures(school=school)
        assert figures.allowance == 6 and not figures.from_override
        history = list(AllowanceChange.objects.filter(school=school).order_by("changed_at", "id"))
        assert [(h.from_override, h.to_override, h.reason) for h in history] == [
            (None, 10, "Two sites"),
            (10, None, "Second site closed"),
        ]
        assert all(h.changed_by == admin for h in history)
        assert AuditEvent.objects.filter(verb="wand_allowance.override").count() == 2

    def test_override_needs_reason_and_an_admin(self, school, admin, head):
        with pytest.raises(DomainError) as error:
            services.allowance_override_set(actor=admin, school=school, override=3, reason=" ")
        assert error.value.field == "reason"
        with pytest.raises(PermissionDenied):
            services.allowance_override_set(actor=head, school=school, override=30, reason="More please")
        assert not AllowanceChange.objects.exists()

    def test_rule_change_is_audited(self, admin, school):
        services.allowance_rule_set(actor=admin, phase="secondary", min_pupils=750, wands=7, reason="More funding")
        assert school_allowance_figures(school=school).allowance == 7
        event = AuditEvent.objects.get(verb="wand_allowance_rule.set")
        assert (event.from_state, event.to_state, event.reason) == ("6", "7", "More funding")


class TestSubmit:
    def test_submit_within_allowance(self, submit, school, head, django_capture_on_commit_callbacks, admin):
        with django_capture_on_commit_callbacks(execute=True):
            wand_request = submit(4)
        assert wand_request.status == WandRequest.Status.SUBMITTED
        assert wand_request.reference == f"KW-{wand_request.pk:06d}"
        assert school_allowance_figures(school=school).remaining == 2
        subjects = sorted(m.subject for m in mail.outbox)
        assert any("received" in s for s in subjects) and any("New wand request" in s for s in subjects)
        school_mail = next(m for m in mail.outbox if m.to == [head.email])
        assert "020 7946" not in school_mail.body  # no more personal data than needed
        assert AuditEvent.objects.filter(verb="wand_request.submitted", target_id=str(wand_request.pk)).exists()

    @pytest.mark.parametrize("quantity", [0, -1, "abc", "", 7, 1000])
    def test_bad_quantity_writes_nothing(self, submit, quantity):
        with pytest.raises(DomainError) as error:
            submit(quantity)
        assert error.value.field == "quantity"
        assert not WandRequest.objects.exists()

    def test_cannot_exceed_remaining_allowance(self, submit):
        submit(5)
        with pytest.raises(services.AllowanceExceeded, match="1 or fewer"):
            submit(2)
        submit(1)
        with pytest.raises(services.AllowanceExceeded, match="no wands left"):
            submit(1)

    def test_cancelled_and_rejected_requests_give_the_allowance_back(self, submit, head, admin, school):
        first = submit(6)
        services.wand_request_cancel(wand_request_id=first.pk, actor=head)
        second = submit(6)
        services.wand_request_reject(wand_request_id=second.pk, actor=admin, reason="Duplicate")
        assert school_allowance_figures(school=school).remaining == 6

    def test_closed_school_cannot_request(self, rules):
        closed = SchoolFactory(closed=True)
        member = SchoolMembershipFactory(school=closed, headteacher=True).user
        with pytest.raises(DomainError, match="closed"):
            services.wand_request_submit(
                actor=member,
                school=closed,
                quantity=1,
                contact_name="A",
                contact_phone="020 7946 0000",
                delivery_address="x",
                delivery_postcode="E1 1AA",
                policy_confirmed=True,
            )

    def test_policy_must_be_confirmed(self, head, school):
        with pytest.raises(DomainError) as error:
            services.wand_request_submit(
                actor=head,
                school=school,
                quantity=1,
                contact_name="A",
                contact_phone="020 7946 0000",
                delivery_address="x",
                delivery_postcode="E1 1AA",
                policy_confirmed=False,
            )
        assert error.value.field == "policy_confirmed"

    @pytest.mark.parametrize(
        ("phone", "postcode", "field"),
        [("call reception", "E1 1AA", "contact_phone"), ("020 7946 0000", "N16", "delivery_postcode")],
    )
    def test_a_phone_or_postcode_the_courier_cannot_use_is_refused(self, head, school, phone, postcode, field):
        with pytest.raises(DomainError) as error:
            services.wand_request_submit(
                actor=head,
                school=school,
                quantity=1,
                contact_name="A",
                contact_phone=phone,
                delivery_address="x",
                delivery_postcode=postcode,
                policy_confirmed=True,
            )
        assert error.value.field == field

    def test_the_postcode_is_kept_as_royal_mail_writes_it(self, head, school):
        made = services.wand_request_submit(
            actor=head,
            school=school,
            quantity=1,
            contact_name="A",
            contact_phone="+44 20 7946 0000",
            delivery_address="x",
            delivery_postcode=" n16 5ag ",
            policy_confirmed=True,
        )
        assert (made.delivery_postcode, made.contact_phone) == ("N16 5AG", "+44 20 7946 0000")

    def test_double_submit_creates_one_request(self, submit):
        first = submit(2, key="form-123")
        again = submit(2, key="form-123")
        assert first.pk == again.pk
        assert WandRequest.objects.count() == 1

    def test_only_people_acting_for_the_school(self, submit, school):
        plain_staff = SchoolMembershipFactory(school=school).user
        with pytest.raises(PermissionDenied):
            submit(1, actor=plain_staff)
        assert submit(1, actor=staff_with_wand_duty(school)).status == WandRequest.Status.SUBMITTED
        other_head = SchoolMembershipFactory(headteacher=True).user
        with pytest.raises(PermissionDenied):
            submit(1, actor=other_head)


class TestApproval:
    def test_approve_reserves_stock(self, submit, admin, add_stock, django_capture_on_commit_callbacks, head):
        add_stock(10)
        wand_request = submit(4)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            outcome = services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        assert outcome.reserved
        wand_request.refresh_from_db()
        assert wand_request.status == WandRequest.Status.APPROVED
        assert (stock().on_hand, stock().reserved) == (10, 4)
        assert [m.subject for m in mail.outbox if m.to == [head.email]] == [
            f"[London Schools Safety Portal] Wand request {wand_request.reference} approved"
        ] or any("approved" in m.subject for m in mail.outbox)
        assert_ledger_matches_stock()

    def test_short_stock_waits_then_deliveries_reserve_in_approval_order(self, admin, add_stock, rules):
        add_stock(3)
        heads_requests = []
        for quantity in (2, 3, 1):
            school = SchoolFactory(number_of_pupils=900)
            from tests.accounts.factories import headteacher_of

            head = headteacher_of(school)
            heads_requests.append(
                services.wand_request_submit(
                    actor=head,
                    school=school,
                    quantity=quantity,
                    contact_name="A",
                    contact_phone="020 7946 0000",
                    delivery_address="x",
                    delivery_postcode="E1 1AA",
                    policy_confirmed=True,
                )
            )
        first, second, third = heads_requests
        assert services.wand_request_approve(wand_request_id=first.pk, actor=admin).reserved
        outcome = services.wand_request_approve(wand_request_id=second.pk, actor=admin)
        assert not outcome.reserved and outcome.wands_short == 2
        outcome = services.wand_request_approve(wand_request_id=third.pk, actor=admin)
        # One wand is free, but `second` was approved first and waits ahead of it: 3 + 1 needed, 1 available.
        assert not outcome.reserved and outcome.wands_short == 3
        assert wands_short() == 3
        # A delivery of 1 makes 2 available: `second` needs 3 and stays first in line; `third` must not overtake it.
        _, reserved = add_stock(1, batch="B-2")
        assert reserved == []
        _, reserved = add_stock(2, batch="B-3")
        assert [r.pk for r in reserved] == [second.pk, third.pk]
        assert WandRequest.objects.filter(status=WandRequest.Status.APPROVED).count() == 3
        assert (stock().on_hand, stock().reserved) == (6, 6)
        assert_ledger_matches_stock()

    def test_reject_needs_reason_and_cannot_follow_approval(self, submit, admin, add_stock):
        add_stock(5)
        wand_request = submit(1)
        with pytest.raises(DomainError) as error:
            services.wand_request_reject(wand_request_id=wand_request.pk, actor=admin, reason="")
        assert error.value.field == "reason"
        services.wand_request_reject(wand_request_id=wand_request.pk, actor=admin, reason="Use the borough scheme")
        with pytest.raises(InvalidTransition, match="already rejected"):
            services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        assert stock().reserved == 0

    def test_only_admins_decide(self, submit, head, fulfilment):
        wand_request = submit(1)
        for actor in (head, fulfilment):
            with pytest.raises(PermissionDenied):
                services.wand_request_approve(wand_request_id=wand_request.pk, actor=actor)

    def test_approve_many(self, admin, add_stock, rules):
        add_stock(3)
        requests = WandRequestFactory.create_batch(3, quantity=2)
        rejected = WandRequestFactory(rejected=True)
        outcome = services.wand_requests_approve_many(
            wand_request_ids=[r.pk for r in requests] + [rejected.pk], actor=admin
        )
        assert [r.pk for r in outcome.approved] == [requests[0].pk]
        assert [r.pk for r in outcome.waiting] == [requests[1].pk, requests[2].pk]
        assert outcome.skipped == [(rejected.reference, pytest.approx(outcome.skipped[0][1]))]
        assert "already rejected" in outcome.skipped[0][1]

    def test_cancel_approved_releases_stock_to_waiting(self, submit, head, admin, add_stock, rules):
        add_stock(2)
        mine = submit(2)
        services.wand_request_approve(wand_request_id=mine.pk, actor=admin)
        other = WandRequestFactory(quantity=2)
        services.wand_request_approve(wand_request_id=other.pk, actor=admin)
        services.wand_request_cancel(wand_request_id=mine.pk, actor=head, reason="Bought our own")
        other.refresh_from_db()
        assert other.status == WandRequest.Status.APPROVED
        assert (stock().on_hand, stock().reserved) == (2, 2)
        assert_ledger_matches_stock()


class TestDispatchAndDelivery:
    @pytest.fixture
    def approved(self, submit, admin, add_stock):
        add_stock(10)
        wand_request = submit(2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        return wand_request

    def test_dispatch_then_confirm_delivery(self, approved, fulfilment, head, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.wand_request_dispatch(
                wand_request_id=approved.pk,
                actor=fulfilment,
                courier="DPD",
                tracking_reference="DPD123",
                serials="SN-1; SN-2",
            )
        approved.refresh_from_db()
        assert approved.status == WandRequest.Status.DISPATCHED
        assert (stock().on_hand, stock().reserved) == (8, 0)
        assert sorted(approved.serials.values_list("serial", flat=True)) == ["SN-1", "SN-2"]
        assert "DPD123" in mail.outbox[0].body
        services.wand_request_confirm_delivery(wand_request_id=approved.pk, actor=head)
        approved.refresh_from_db()
        assert approved.status == WandRequest.Status.DELIVERED
        assert_ledger_matches_stock()

    def test_more_serials_than_approved(self, approved, fulfilment):
        with pytest.raises(DomainError, match="only 2 wands were approved"):
            services.wand_request_dispatch(
                wand_request_id=approved.pk,
                actor=fulfilment,
                courier="DPD",
                tracking_reference="T",
                serials=["A", "B", "C"],
            )
        assert stock().reserved == 2 and not WandSerial.objects.exists()

    def test_serial_already_out(self, approved, fulfilment, head, admin, school):
        other = WandRequestFactory(quantity=1)
        services.wand_request_approve(wand_request_id=other.pk, actor=admin)
        services.wand_request_dispatch(
            wand_request_id=other.pk, actor=fulfilment, courier="DPD", tracking_reference="T1", serials=["SN-9"]
        )
        with pytest.raises(DomainError, match="already dispatched elsewhere: SN-9"):
            services.wand_request_dispatch(
                wand_request_id=approved.pk,
                actor=fulfilment,
                courier="DPD",
                tracking_reference="T2",
                serials=["SN-9", "SN-10"],
            )
        approved.refresh_from_db()
        assert approved.status == WandRequest.Status.APPROVED

    def test_cannot_dispatch_unapproved(self, submit, fulfilment):
        wand_request = submit(1)
        with pytest.raises(InvalidTransition):
            services.wand_request_dispatch(
                wand_request_id=wand_request.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
            )

    def test_cancel_after_dispatch_refused(self, approved, fulfilment, head):
        services.wand_request_dispatch(
            wand_request_id=approved.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
        )
        with pytest.raises(Conflict):
            services.wand_request_cancel(wand_request_id=approved.pk, actor=head)

    def test_report_faulty_opens_replacement_outside_allowance(self, approved, fulfilment, head, school, admin):
        services.wand_request_dispatch(
            wand_request_id=approved.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
        )
        services.wand_request_confirm_delivery(wand_request_id=approved.pk, actor=head)
        before = school_allowance_figures(school=school)
        issue = services.wand_issue_report(
            wand_request_id=approved.pk,
            actor=head,
            kind="faulty",
            outcome="replacement",
            quantity=1,
            details="Does not beep",
        )
        assert issue.replacement.replaces == approved
        assert issue.replacement.status == WandRequest.Status.SUBMITTED
        assert school_allowance_figures(school=school).remaining == before.remaining
        with pytest.raises(DomainError):
            services.wand_issue_report(
                wand_request_id=approved.pk, actor=head, kind="missing", outcome="return", quantity=2, details="x"
            )

    def test_return_gives_allowance_back_and_working_wands_return_to_stock(self, approved, fulfilment, head, school):
        services.wand_request_dispatch(
            wand_request_id=approved.pk, actor=fulfilment, courier="DPD", tracking_reference="T"
        )
        services.wand_request_confirm_delivery(wand_request_id=approved.pk, actor=head)
        issue = services.wand_issue_report(
            wand_request_id=approved.pk, actor=head, kind="faulty", outcome="return", quantity=1, details="Broken"
        )
        figures = school_allowance_figures(school=school)
        assert (figures.received, figures.remaining) == (1, 5)
        services.wand_issue_return_received(issue_id=issue.pk, actor=fulfilment, working=False)
        assert stock().on_hand == 8  # returned, then written off as faulty
        assert list(StockMovement.objects.order_by("-id").values_list("kind", flat=True)[:2]) == ["write_off", "return"]
        assert WandIssue.objects.get().resolved_at is not None
        assert_ledger_matches_stock()


class TestStock:
    def test_write_off_cannot_take_reserved_wands(self, admin, add_stock, submit):
        add_stock(3)
        wand_request = submit(2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        with pytest.raises(services.OutOfStock, match="Only 1"):
            services.stock_write_off(actor=admin, quantity=2, note="Lost")
        services.stock_write_off(actor=admin, quantity=1, note="Dropped in transit")
        assert (stock().on_hand, stock().reserved) == (2, 2)
        assert_ledger_matches_stock()

    def test_database_refuses_negative_stock(self, rules):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            StockLevel.objects.filter(pk=1).update(on_hand=-1)

    def test_delivery_validation(self, admin):
        with pytest.raises(DomainError) as error:
            services.stock_delivery_record(actor=admin, quantity=2, batch="")
        assert error.value.field == "batch"
        with pytest.raises(DomainError) as error:
            services.stock_delivery_record(actor=admin, quantity=2, batch="B", serials="A")
        assert error.value.field == "serials"
        assert not StockMovement.objects.exists()


class TestDispatchCsv:
    @pytest.fixture
    def approved_pair(self, admin, add_stock, rules):
        add_stock(10)
        pair = WandRequestFactory.create_batch(2, quantity=2)
        for wand_request in pair:
            services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        return pair

    def test_good_file_dispatches_every_row(self, approved_pair, fulfilment):
        first, second = approved_pair
        data = (
            "reference,courier,tracking,serials\r\n"
            f"{first.reference},DPD,T1,A1;A2\r\n"
            f"{second.reference},Royal Mail,T2,\r\n"
        ).encode()
        services.dispatch_csv_apply(data=data, actor=fulfilment)
        assert set(WandRequest.objects.values_list("status", flat=True)) == {"dispatched"}
        assert stock().on_hand == 6

    def test_every_bad_row_listed_and_nothing_applied(self, approved_pair, fulfilment, submit):
        first, second = approved_pair
        unapproved = submit(1)
        data = (
            "Reference,Courier,Tracking,Serials\n"
            f"{first.reference},DPD,T1,A1;A2\n"
            "KW-999999,DPD,T2,\n"
            f"{first.reference},DPD,T3,\n"
            f"{second.reference},DPD,,A1;A3;A4\n"
            f"{unapproved.reference},DPD,T5,\n"
        ).encode()
        with pytest.raises(services.CsvRejected) as error:
            services.dispatch_csv_apply(data=data, actor=fulfilment)
        lines = {line for line, _ in error.value.problems}
        assert lines == {3, 4, 5, 6}
        text = " ".join(reason for _, reason in error.value.problems)
        assert "no wand request" in text and "also on line 2" in text and "tracking reference is missing" in text
        assert "only 2 wands were approved" in text and "not approved" in text
        assert set(WandRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
            "approved"
        }
        assert not WandSerial.objects.exists()

    def test_wrong_encoding_and_missing_columns(self, fulfilment, approved_pair):
        with pytest.raises(services.CsvRejected, match="not UTF-8"):
            services.dispatch_csv_apply(
                data="reference,courier,tracking\nKW-1,Caf\xe9,T\n".encode("cp1252"), actor=fulfilment
            )
        with pytest.raises(services.CsvRejected, match="missing the column"):
            services.dispatch_csv_apply(data=b"ref,courier\nKW-1,DPD\n", actor=fulfilment)


class TestExistingDeliveries:
    def test_import_counts_against_allowance(self, admin, school):
        data = f"URN,Quantity,Date,Serials\n{school.urn},2,2024-03-01,OLD1;OLD2\n".encode()
        services.existing_deliveries_import(data=data, actor=admin)
        figures = school_allowance_figures(school=school)
        assert (figures.received, figures.remaining) == (2, 4)
        assert WandSerial.objects.filter(existing_delivery__isnull=False).count() == 2

    def test_bad_rows_reject_the_file(self, admin, school):
        data = (
            "urn,quantity,date,serials\n"
            f"{school.urn},2,2024-03-01,\n"
            "999999,1,2024-03-01,\n"
            f"{school.urn},0,yesterday,\n"
            f"{school.urn},1,01/02/2099,\n"
        ).encode()
        with pytest.raises(services.CsvRejected) as error:
            services.existing_deliveries_import(data=data, actor=admin)
        assert {line for line, _ in error.value.problems} == {3, 4, 5}
        assert school_allowance_figures(school=school).received == 0


class TestEmailsAfterCommit:
    def test_nothing_sent_when_the_transaction_rolls_back(self, submit, django_capture_on_commit_callbacks):
        from django.db import transaction

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            submit(2)
            raise RuntimeError("something later failed")
        assert callbacks == [] and mail.outbox == []
        assert not WandRequest.objects.exists()

    def test_delivery_tells_schools_and_admins_about_reserved_requests(
        self, submit, admin, add_stock, head, django_capture_on_commit_callbacks
    ):
        wand_request = submit(2)
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            add_stock(2)
        by_recipient = {tuple(m.to): m.subject for m in mail.outbox}
        assert "approved" in by_recipient[(head.email,)]
        assert wand_request.reference in mail.outbox[-1].body or any(
            wand_request.reference in m.body for m in mail.outbox if m.to == [admin.email]
        )
        assert any(m.to == [admin.email] and "Wands reserved" in m.subject for m in mail.outbox)
