"""Access reviews with frozen times: lapsing, reminders, confirming, dormant accounts, and the commands."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import (
    AccessReviewReminder,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)
from accounts.services.reviews import reminder_period_start
from core.models import AuditEvent

from .factories import (
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SIX_MONTHS = timedelta(days=183)


def ago(days: int):
    return NOW - timedelta(days=days)


class TestLapse:
    def test_unconfirmed_roles_reaching_pupil_or_police_data_lapse(self, school):
        lead = SchoolDutyFactory(
            membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True, granted_at=ago(200)
        )
        wands = SchoolDutyFactory(membership=lead.membership, granted_at=ago(400))
        officer = PoliceRoleFactory(granted_at=ago(184))
        coordinator = ProgrammeRoleFactory(kind="stepping_stones_coordinator", granted_at=ago(300))
        admin_role = ProgrammeRoleFactory(kind="programme_admin", granted_at=ago(300), confirmed_at=ago(20))
        editor = ProgrammeRoleFactory(kind="toolkit_editor", granted_at=ago(900))
        staff = lead.membership
        assert services.roles_lapse_unconfirmed(now=NOW) == 3
        for record in (lead, officer, coordinator):
            record.refresh_from_db()
            assert record.ended_at == NOW and record.lapsed and "access review" in record.end_reason
        for record in (wands, admin_role, editor, staff):
            record.refresh_from_db()
            assert record.ended_at is None
        assert AuditEvent.objects.filter(verb="role.lapsed", actor__isnull=True).count() == 3
        assert "stepping_stones_lead" not in selectors.user_role_names(User.objects.get(pk=staff.user_id))

    def test_a_day_before_the_period_nothing_lapses(self):
        PoliceRoleFactory(granted_at=ago(182))
        assert services.roles_lapse_unconfirmed(now=NOW) == 0

    def test_confirming_restarts_the_clock(self, admin):
        officer = PoliceRoleFactory(granted_at=ago(180))
        services.role_confirm(actor=admin, kind="police", record_id=officer.pk, now=ago(1))
        assert services.roles_lapse_unconfirmed(now=NOW + timedelta(days=100)) == 0
        assert services.roles_lapse_unconfirmed(now=ago(1) + SIX_MONTHS + timedelta(days=1)) == 1
        assert AuditEvent.objects.filter(verb="role.confirmed").count() == 1

    def test_headteacher_confirms_their_schools_leads_not_police(self, head, school):
        lead = SchoolDutyFactory(membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True)
        services.role_confirm(actor=head, kind="duty", record_id=lead.pk, now=NOW)
        assert SchoolDuty.objects.get(pk=lead.pk).confirmed_by == head
        with pytest.raises(PermissionDenied):
            services.role_confirm(actor=head, kind="police", record_id=PoliceRoleFactory().pk)

    def test_admins_cannot_confirm_themselves(self, admin):
        with pytest.raises(PermissionDenied):
            services.role_confirm(actor=admin, kind="programme", record_id=admin.programme_roles.get().pk)

    def test_command(self):
        PoliceRoleFactory(granted_at=timezone.now() - timedelta(days=200))
        call_command("lapse_unconfirmed_roles")
        assert PoliceRole.objects.get().lapsed


class TestReminders:
    def test_reviewers_get_one_email_with_a_count_and_no_names(self, head, school, admin, run_on_commit):
        lead = SchoolDutyFactory(
            membership=SchoolMembershipFactory(school=school, user=UserFactory(full_name="Lee Lead")),
            stepping_stones_lead=True,
            granted_at=ago(175),
        )
        PoliceRoleFactory(granted_at=ago(170))
        ProgrammeRoleFactory(kind="stepping_stones_coordinator", granted_at=ago(100))  # not due yet
        with run_on_commit():
            assert services.access_review_reminders_send(now=NOW) == 2
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert set(by_recipient) == {head.email, admin.email}
        assert "1 role" in by_recipient[head.email].subject
        assert (
            "Lee Lead" not in by_recipient[head.email].body
            and lead.membership.user.email not in by_recipient[head.email].body
        )
        assert "/access-reviews/" in by_recipient[admin.email].body

    def test_nothing_due_sends_nothing(self, admin):
        PoliceRoleFactory(granted_at=ago(10))
        assert services.access_review_reminders_send(now=NOW) == 0

    def test_command(self, admin, capsys):
        PoliceRoleFactory(granted_at=timezone.now() - timedelta(days=175))
        call_command("review_access_reminders")
        assert "sent: 1" in capsys.readouterr().out


class TestDormant:
    def test_unused_accounts_are_deactivated_and_audited(self):
        dormant = UserFactory(date_joined=ago(200), last_login=ago(95))
        never_seen = UserFactory(date_joined=ago(91))
        recent_login = UserFactory(date_joined=ago(200), last_login=ago(5))
        recent_request = UserFactory(date_joined=ago(200), last_login=ago(120), last_seen_at=ago(3))
        new = UserFactory(date_joined=ago(10))
        assert services.users_deactivate_dormant(now=NOW) == 2
        states = {u.pk: u.is_active for u in User.objects.all()}
        assert not states[dormant.pk] and not states[never_seen.pk]
        assert states[recent_login.pk] and states[recent_request.pk] and states[new.pk]
        event = AuditEvent.objects.get(verb="user.deactivated", target_id=str(dormant.pk))
        assert event.actor is None and "90 days" in event.reason

    def test_deactivated_user_holds_no_role(self):
        membership = SchoolMembershipFactory(
            headteacher=True, user=UserFactory(date_joined=ago(200), last_login=ago(100))
        )
        services.users_deactivate_dormant(now=NOW)
        assert selectors.user_role_names(User.objects.get(pk=membership.user_id)) == set()
        assert SchoolMembership.objects.current().filter(pk=membership.pk).exists()  # the record stays

    def test_command(self):
        UserFactory(date_joined=timezone.now() - timedelta(days=100))
        call_command("deactivate_dormant_accounts")
        assert not User.objects.get().is_active


def test_grant_programme_admin_command():
    user = UserFactory(email="first@example.org")
    call_command("grant_programme_admin", "first@example.org")
    role = ProgrammeRole.objects.get(user=user)
    assert role.kind == "programme_admin" and role.granted_by is None
    assert AuditEvent.objects.filter(verb="programme_role.granted", actor__isnull=True).exists()


def later_the_same_week(moment):
    """An hour later, or the week's last second when an hour later is next week (a run late on a Sunday night: the
    period is the week from Monday, so an hour on would rightly be a new period)."""
    next_monday = reminder_period_start(moment) + timedelta(days=7)
    end_of_week = timezone.make_aware(datetime.combine(next_monday, datetime.min.time())) - timedelta(seconds=1)
    return min(moment + timedelta(hours=1), end_of_week)


def test_later_the_same_week_stays_in_the_week():
    sunday_night = timezone.make_aware(datetime(2026, 12, 6, 23, 30))
    assert later_the_same_week(sunday_night) == timezone.make_aware(datetime(2026, 12, 6, 23, 59, 59))
    wednesday = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
    assert later_the_same_week(wednesday) == wednesday + timedelta(hours=1)
    assert reminder_period_start(later_the_same_week(sunday_night)) == reminder_period_start(sunday_night)


class TestRemindersOncePerPeriod:
    def test_running_twice_sends_one_email(self, admin, run_on_commit):
        PoliceRoleFactory(granted_at=ago(175))
        with run_on_commit():
            assert services.access_review_reminders_send(now=NOW) == 1
        with run_on_commit():
            assert services.access_review_reminders_send(now=later_the_same_week(NOW)) == 0
        assert [message.to for message in mail.outbox] == [[admin.email]]
        reminder = AccessReviewReminder.objects.get()
        assert reminder.recipient == admin and reminder.role_count == 1

    def test_the_command_twice_sends_one_email(self, admin, capsys, run_on_commit):
        PoliceRoleFactory(granted_at=timezone.now() - timedelta(days=175))
        with run_on_commit():
            call_command("review_access_reminders")
        with run_on_commit():
            call_command("review_access_reminders")
        out = capsys.readouterr().out
        assert "sent: 1" in out and "sent: 0" in out
        assert len(mail.outbox) == 1

    def test_the_next_period_reminds_again(self, admin, run_on_commit):
        PoliceRoleFactory(granted_at=ago(175))
        with run_on_commit():
            services.access_review_reminders_send(now=NOW)
        with run_on_commit():
            assert services.access_review_reminders_send(now=NOW + timedelta(days=7)) == 1
        assert len(mail.outbox) == 2
        assert AccessReviewReminder.objects.filter(recipient=admin).count() == 2

    def test_a_reviewer_not_yet_reminded_this_period_still_is(self, admin, head, school, run_on_commit):
        PoliceRoleFactory(granted_at=ago(175))
        with run_on_commit():
            services.access_review_reminders_send(now=NOW)
        SchoolDutyFactory(
            membership=SchoolMembershipFactory(school=school), stepping_stones_lead=True, granted_at=ago(175)
        )
        with run_on_commit():
            assert services.access_review_reminders_send(now=NOW + timedelta(minutes=5)) == 1
        assert [message.to for message in mail.outbox] == [[admin.email], [head.email]]

    def test_one_reminder_per_person_and_period_is_a_database_rule(self, admin):
        AccessReviewReminder.objects.create(recipient=admin, period_start=NOW.date(), role_count=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            AccessReviewReminder.objects.create(recipient=admin, period_start=NOW.date(), role_count=2)

    def test_rolled_back_run_records_nothing(self, admin):
        PoliceRoleFactory(granted_at=ago(175))
        with pytest.raises(RuntimeError), transaction.atomic():
            services.access_review_reminders_send(now=NOW)
            raise RuntimeError
        assert not AccessReviewReminder.objects.exists()
        assert mail.outbox == []


class TestOwnRole:
    """Nobody confirms (extends) their own access: another programme admin must."""

    def test_service_refuses_with_a_message_and_writes_nothing(self, admin):
        role = admin.programme_roles.get()
        with pytest.raises(services.OwnAccessRefused, match="Another programme admin must confirm it"):
            services.role_confirm(actor=admin, kind="programme", record_id=role.pk, now=NOW)
        role.refresh_from_db()
        assert role.confirmed_at is None and role.confirmed_by is None
        assert not AuditEvent.objects.filter(verb="role.confirmed").exists()

    def test_own_police_role_too(self, admin):
        police = PoliceRoleFactory(user=admin)
        with pytest.raises(services.OwnAccessRefused):
            services.role_confirm(actor=admin, kind="police", record_id=police.pk)
        assert PoliceRole.objects.get(pk=police.pk).confirmed_at is None

    def test_headteacher_cannot_confirm_their_own_duty(self, head, school):
        duty = SchoolDutyFactory(membership=head.school_memberships.get(), stepping_stones_lead=True)
        with pytest.raises(services.OwnAccessRefused, match="your own role"):
            services.role_confirm(actor=head, kind="duty", record_id=duty.pk)
        assert SchoolDuty.objects.get(pk=duty.pk).confirmed_at is None

    def test_another_admin_confirms_it(self, admin):
        other = ProgrammeRoleFactory(user=UserFactory(), kind="programme_admin").user
        role = admin.programme_roles.get()
        services.role_confirm(actor=other, kind="programme", record_id=role.pk, now=NOW)
        role.refresh_from_db()
        assert role.confirmed_by == other and role.confirmed_at == NOW

    def test_page_explains_and_offers_no_button(self, client, admin):
        client.force_login(admin)
        role = admin.programme_roles.get()
        url = reverse("accounts:role_confirm", kwargs={"kind": "programme", "pk": role.pk})
        page = client.get(url)
        text = page.content.decode()
        assert page.status_code == 200
        assert "You cannot confirm your own role" in text and "Another programme admin must confirm it" in text
        assert "Confirm role</button>" not in text
        response = client.post(url)
        text = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in text and "<title>Error:" in text
        assert "nobody may extend their own access" in text
        assert ProgrammeRole.objects.get(pk=role.pk).confirmed_at is None

    def test_page_for_someone_elses_role_still_confirms(self, client, admin):
        client.force_login(admin)
        police = PoliceRoleFactory()
        url = reverse("accounts:role_confirm", kwargs={"kind": "police", "pk": police.pk})
        assert "Confirm role</button>" in client.get(url).content.decode()
        assert client.post(url).status_code == 302
        assert PoliceRole.objects.get(pk=police.pk).confirmed_by == admin

    def test_api_answers_403_with_the_message(self, client, admin):
        client.force_login(admin)
        role = admin.programme_roles.get()
        url = reverse("accounts-api:role_confirm", kwargs={"kind": "programme", "pk": role.pk})
        response = client.post(url, content_type="application/json")
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "own_role" and "Another programme admin" in body["errors"]["non_field_errors"][0]
        assert ProgrammeRole.objects.get(pk=role.pk).confirmed_at is None

    def test_api_confirms_another_persons_role_and_scopes_the_rest(self, client, admin, head, school):
        police = PoliceRoleFactory(granted_at=ago(170))
        client.force_login(admin)
        url = reverse("accounts-api:role_confirm", kwargs={"kind": "police", "pk": police.pk})
        response = client.post(url, content_type="application/json")
        assert response.status_code == 200, response.json()
        assert response.json()["kind"] == "police" and response.json()["review_due"]
        assert PoliceRole.objects.get(pk=police.pk).confirmed_by == admin
        unknown = reverse("accounts-api:role_confirm", kwargs={"kind": "nonsense", "pk": police.pk})
        assert client.post(unknown, content_type="application/json").status_code == 404
        client.force_login(head)
        assert client.post(url, content_type="application/json").status_code == 404
