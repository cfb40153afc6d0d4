"""Invitations that expired unanswered (for example while people were locked out of two-factor set-up) are sent again
in bulk by a programme admin: listed, selected, sent again all or none, audited; page and API."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Invitation
from core.errors import DomainError
from core.models import AuditEvent

from .factories import InvitationFactory, SchoolFactory, SchoolMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired():
    return [InvitationFactory(expired=True), InvitationFactory(expired=True, staff=True)]


def test_the_list_holds_only_expired_unanswered_invitations_not_yet_sent_again(admin, expired):
    InvitationFactory()  # pending
    InvitationFactory(expired=True, revoked=True)
    InvitationFactory(expired=True, accepted_at=timezone.now() - timedelta(days=7))
    superseded = InvitationFactory(expired=True)
    InvitationFactory(school=superseded.school, email=superseded.email.upper())  # sent again since
    assert list(selectors.invitations_expired_unanswered(admin)) == sorted(
        expired, key=lambda i: (i.expires_at, i.pk), reverse=True
    )


def test_only_programme_admins_see_or_send_them(head, expired):
    assert not selectors.invitations_expired_unanswered(head).exists()
    with pytest.raises(PermissionDenied):
        services.invitations_resend_expired(actor=head, invitation_ids=[expired[0].pk])
    assert Invitation.objects.count() == 2


def test_resend_sends_new_links_audited_and_emailed_after_commit(admin, expired, run_on_commit):
    with run_on_commit():
        sent = services.invitations_resend_expired(actor=admin, invitation_ids=[i.pk for i in expired])
    assert len(sent) == 2
    now = timezone.now()
    for old, new in zip(expired, sorted(sent, key=lambda i: i.pk), strict=True):
        assert (new.email, new.school_id, new.role, new.invited_by) == (old.email, old.school_id, old.role, admin)
        assert new.status_at(now) == "pending"
        event = AuditEvent.objects.get(verb="invitation.resent", target_id=str(old.pk))
        assert (event.actor, event.from_state, event.to_state) == (admin, "expired", "sent again")
        assert event.data["new_invitation_id"] == new.pk
    assert AuditEvent.objects.filter(verb="invitation.sent").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.email for i in expired)
    assert not selectors.invitations_expired_unanswered(admin).exists()
    # Sending the same ones again is refused: each has been sent again already.
    with pytest.raises(DomainError, match="already been sent again"):
        services.invitations_resend_expired(actor=admin, invitation_ids=[expired[0].pk])


def test_all_or_none(admin, expired):
    closed = InvitationFactory(expired=True, school=SchoolFactory(status="closed"))
    pending = InvitationFactory()
    with pytest.raises(services.InvitationsNotResent) as error:
        services.invitations_resend_expired(
            actor=admin, invitation_ids=[expired[0].pk, closed.pk, pending.pk, 99_999_999]
        )
    messages = dict(error.value.errors)
    assert "closed" in messages[closed.pk]
    assert "pending, not expired" in messages[pending.pk]
    assert "does not exist" in messages[99_999_999]
    assert Invitation.objects.count() == 4
    assert not AuditEvent.objects.filter(verb="invitation.resent").exists()


def test_someone_who_joined_meanwhile_is_not_invited_again(admin):
    invitation = InvitationFactory(expired=True)
    SchoolMembershipFactory(school=invitation.school, user__email=invitation.email, headteacher=True)
    with pytest.raises(services.InvitationsNotResent, match="already headteacher"):
        services.invitations_resend_expired(actor=admin, invitation_ids=[invitation.pk])


def test_nothing_selected(admin):
    with pytest.raises(DomainError, match="Select the invitations"):
        services.invitations_resend_expired(actor=admin, invitation_ids=[])


class TestPage:
    def test_list_select_and_send_again(self, client, admin, expired, run_on_commit):
        client.force_login(admin)
        page = client.get(reverse("accounts:invitations_expired"))
        assert page.status_code == 200
        body = page.content.decode()
        for invitation in expired:
            assert invitation.email in body
        assert reverse("accounts:invitations_expired") in client.get(reverse("accounts:invitations")).content.decode()
        with run_on_commit():
            response = client.post(reverse("accounts:invitations_expired"), {"invitations": [expired[0].pk]})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:invitations")
        assert len(mail.outbox) == 1
        assert "1 invitation sent again" in client.get(response["Location"]).content.decode()
        assert expired[0].email not in client.get(reverse("accounts:invitations_expired")).content.decode()

    def test_nothing_selected_shows_the_error_summary(self, client, admin, expired):
        client.force_login(admin)
        response = client.post(reverse("accounts:invitations_expired"), {})
        assert response.status_code == 200
        body = response.content.decode()
        assert "There is a problem" in body
        assert "Select the invitations to send again" in body
        assert Invitation.objects.count() == 2

    def test_a_refusal_is_shown_and_nothing_is_sent(self, client, admin):
        invitation = InvitationFactory(expired=True)
        client.force_login(admin)
        client.get(reverse("accounts:invitations_expired"))
        invitation.school.status = "closed"
        invitation.school.save()
        response = client.post(reverse("accounts:invitations_expired"), {"invitations": [invitation.pk]})
        assert response.status_code == 200
        assert "No invitations were sent" in response.content.decode()
        assert Invitation.objects.count() == 1

    def test_refused_to_others(self, client, head, expired):
        client.force_login(head)
        assert client.get(reverse("accounts:invitations_expired")).status_code == 403
        assert client.post(reverse("accounts:invitations_expired"), {"invitations": [expired[0].pk]}).status_code == 403
        assert Invitation.objects.count() == 2


class TestApi:
    url = "/api/v1/invitations/expired/"

    def test_list_and_send_again(self, client, admin, expired):
        assert reverse("accounts-api:invitations_expired") == self.url
        client.force_login(admin)
        listed = client.get(self.url).json()
        assert {row["id"] for row in listed["results"]} == {i.pk for i in expired}
        assert {row["status"] for row in listed["results"]} == {"expired"}
        response = client.post(self.url, {"invitations": [i.pk for i in expired]}, content_type="application/json")
        assert response.status_code == 201
        assert {row["email"] for row in response.json()} == {i.email for i in expired}
        assert client.get(self.url).json()["results"] == []

    def test_bad_input_is_400_and_writes_nothing(self, client, admin, expired):
        client.force_login(admin)
        first = Invitation.objects.first().pk
        for body in [{}, {"invitations": []}, {"invitations": ["x"]}, {"invitations": [first, 0]}]:
            response = client.post(self.url, body, content_type="application/json")
            assert response.status_code == 400, body
        pending = InvitationFactory()
        response = client.post(self.url, {"invitations": [pending.pk]}, content_type="application/json")
        assert response.status_code == 400
        assert "not expired" in str(response.json())
        assert Invitation.objects.count() == 3

    def test_refused_to_others(self, client, head, expired):
        assert client.get(self.url).status_code == 401
        client.force_login(head)
        assert client.get(self.url).status_code == 403
        response = client.post(self.url, {"invitations": [expired[0].pk]}, content_type="application/json")
        assert response.status_code == 403
        assert Invitation.objects.count() == 2


@pytest.mark.parametrize("path", ["/invitations/expired/", "/api/v1/invitations/expired/"])
def test_query_count_does_not_grow_with_rows(client, admin, path):
    client.force_login(admin)
    client.get(path)  # the session's first request of the day writes `last_seen_at`: not part of the list

    def count(n):
        InvitationFactory.create_batch(n, expired=True)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    small = count(3)
    Invitation.objects.all().delete()
    assert count(40) == small
