"""Organisation invitations: who may invite, the email after commit, acceptance, audit; page and API."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import OrganisationInvitation, OrganisationMembership
from core.errors import Conflict, DomainError, InvalidTransition
from core.models import AuditEvent

from .factories import (
    OrganisationFactory,
    OrganisationInvitationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    headteacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(verified=True, name="Tottenham Youth Boxing")


@pytest.fixture
def member(organisation):
    return OrganisationMembershipFactory(organisation=organisation, user=UserFactory(email="member@example.org")).user


def accept_url(token: str) -> str:
    return reverse("accounts:organisation_invitation_accept", kwargs={"token": token})


class TestInviteService:
    def test_a_member_invites_and_the_link_is_emailed_after_commit(self, member, organisation, run_on_commit):
        with run_on_commit():
            invitation, token = services.organisation_invite(
                actor=member, organisation_id=organisation.pk, email=" New.Person@Example.org "
            )
        assert invitation.email == "new.person@example.org" and invitation.status == "pending"
        assert invitation.token_hash != token and token not in invitation.token_hash
        (message,) = mail.outbox
        assert message.to == ["new.person@example.org"]
        # The subject is fixed text: nothing the organisation or the sender wrote (issue 17).
        assert "Tottenham Youth Boxing" not in message.subject and "Tottenham Youth Boxing" in message.body
        assert accept_url(token) in message.body
        # Nothing personal beyond the invitee's own address: not the inviter's name or address.
        assert member.email not in message.body and member.get_full_name() not in message.body
        event = AuditEvent.objects.get(verb="organisation_invitation.sent")
        assert event.actor == member and event.to_state == "pending"

    def test_no_email_when_the_transaction_rolls_back(self, member, organisation, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.organisation_invite(actor=member, organisation_id=organisation.pk, email="x@example.org")
        assert mail.outbox == [] and len(callbacks) >= 1

    def test_programme_admin_may_invite(self, admin, organisation):
        invitation, _ = services.organisation_invite(
            actor=admin, organisation_id=organisation.pk, email="a@example.org"
        )
        assert invitation.invited_by == admin

    @pytest.mark.parametrize("who", ["stranger", "ended_member", "member_of_another", "headteacher"])
    def test_others_may_not_invite(self, who, organisation):
        if who == "stranger":
            actor = UserFactory()
        elif who == "ended_member":
            actor = OrganisationMembershipFactory(organisation=organisation, ended_at=timezone.now()).user
        elif who == "member_of_another":
            actor = OrganisationMembershipFactory().user
        else:
            actor = headteacher_of()
        with pytest.raises(PermissionDenied):
            services.organisation_invite(actor=actor, organisation_id=organisation.pk, email="x@example.org")
        assert not OrganisationInvitation.objects.exists()

    def test_declined_organisation_cannot_invite(self, admin):
        declined = OrganisationFactory(declined=True)
        member = OrganisationMembershipFactory(organisation=declined).user
        for actor in (admin, member):
            with pytest.raises(PermissionDenied):
                services.organisation_invite(actor=actor, organisation_id=declined.pk, email="x@example.org")

    def test_bad_email_existing_member_and_waiting_invitation_are_refused(self, member, organisation):
        with pytest.raises(DomainError, match="correct format") as bad:
            services.organisation_invite(actor=member, organisation_id=organisation.pk, email="not-an-email")
        assert bad.value.field == "email"
        with pytest.raises(Conflict, match="already a member"):
            services.organisation_invite(actor=member, organisation_id=organisation.pk, email="MEMBER@example.org")
        services.organisation_invite(actor=member, organisation_id=organisation.pk, email="twice@example.org")
        with pytest.raises(Conflict, match="already has an invitation"):
            services.organisation_invite(actor=member, organisation_id=organisation.pk, email="twice@example.org")
        assert OrganisationInvitation.objects.count() == 1


class TestAcceptService:
    def test_the_invitee_joins_once(self, member, organisation):
        invitation = OrganisationInvitationFactory(
            organisation=organisation, email="joiner@example.org", invited_by=member, token="t-1"
        )
        joiner = UserFactory(email="Joiner@example.org")
        membership = services.organisation_invitation_accept(token="t-1", user=joiner)
        assert membership.organisation == organisation and membership.granted_by == member
        assert "organisation_member" in selectors.user_role_names(type(joiner).objects.get(pk=joiner.pk))
        invitation.refresh_from_db()
        assert invitation.accepted_by == joiner and invitation.status == "accepted"
        assert AuditEvent.objects.filter(verb="organisation_membership.granted", actor=joiner).count() == 1
        assert AuditEvent.objects.filter(verb="organisation_invitation.accepted", to_state="accepted").count() == 1
        with pytest.raises(InvalidTransition, match="already been used"):
            services.organisation_invitation_accept(token="t-1", user=joiner)
        assert OrganisationMembership.objects.filter(user=joiner).count() == 1

    def test_someone_else_cannot_use_the_link(self, organisation):
        OrganisationInvitationFactory(organisation=organisation, email="joiner@example.org", token="t-2")
        with pytest.raises(DomainError, match="different email address"):
            services.organisation_invitation_accept(token="t-2", user=UserFactory(email="other@example.org"))
        assert not OrganisationMembership.objects.filter(organisation=organisation).exists()

    def test_expired_unknown_and_declined(self, organisation):
        joiner = UserFactory(email="joiner@example.org")
        OrganisationInvitationFactory(organisation=organisation, email=joiner.email, token="t-3", expired=True)
        with pytest.raises(InvalidTransition, match="expired"):
            services.organisation_invitation_accept(token="t-3", user=joiner)
        with pytest.raises(DomainError, match="not valid"):
            services.organisation_invitation_accept(token="no-such", user=joiner)
        declined = OrganisationFactory(declined=True)
        OrganisationInvitationFactory(organisation=declined, email=joiner.email, token="t-4")
        with pytest.raises(DomainError, match="declined"):
            services.organisation_invitation_accept(token="t-4", user=joiner)
        assert not OrganisationMembership.objects.filter(user=joiner).exists()

    def test_an_existing_member_keeps_one_membership(self, member, organisation):
        OrganisationInvitationFactory(organisation=organisation, email=member.email, token="t-5")
        services.organisation_invitation_accept(token="t-5", user=member)
        assert OrganisationMembership.objects.current().filter(user=member, organisation=organisation).count() == 1


class TestPages:
    def test_member_sees_the_link_and_invites(self, client, member, organisation, django_capture_on_commit_callbacks):
        client.force_login(member)
        detail = client.get(reverse("accounts:organisation_detail", kwargs={"pk": organisation.pk}))
        invite_url = reverse("accounts:organisation_invite", kwargs={"pk": organisation.pk})
        assert invite_url in detail.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(invite_url, {"email": "friend@example.org"})
        assert response.status_code == 302
        assert OrganisationInvitation.objects.get().email == "friend@example.org"
        assert mail.outbox[0].to == ["friend@example.org"]
        assert "Invitation sent" in client.get(response.url).content.decode()

    def test_bad_input_shows_the_error_summary_and_writes_nothing(self, client, member, organisation):
        client.force_login(member)
        url = reverse("accounts:organisation_invite", kwargs={"pk": organisation.pk})
        for data, message in (({"email": ""}, "Enter"), ({"email": "member@example.org"}, "already a member")):
            response = client.post(url, data)
            text = response.content.decode()
            assert response.status_code == 200
            assert "govuk-error-summary" in text and message in text and "<title>Error:" in text
        assert not OrganisationInvitation.objects.exists()

    def test_outsiders_get_404_and_visible_non_members_403(self, client, organisation):
        url = reverse("accounts:organisation_invite", kwargs={"pk": organisation.pk})
        client.force_login(UserFactory())
        assert client.get(url).status_code == 404
        declined = OrganisationFactory(declined=True)
        client.force_login(declined.registered_by)
        assert client.get(reverse("accounts:organisation_invite", kwargs={"pk": declined.pk})).status_code == 403

    def test_accept_page(self, client, organisation):
        OrganisationInvitationFactory(organisation=organisation, email="joiner@example.org", token="p-1")
        assert "Sign in" in client.get(accept_url("p-1")).content.decode()
        client.force_login(UserFactory(email="other@example.org"))
        assert "different email address" in client.get(accept_url("p-1")).content.decode()
        client.post(accept_url("p-1"))
        assert not OrganisationMembership.objects.filter(organisation=organisation).exists()
        joiner = UserFactory(email="joiner@example.org")
        client.force_login(joiner)
        page = client.get(accept_url("p-1")).content.decode()
        assert "Tottenham Youth Boxing" in page and "Accept invitation" in page
        response = client.post(accept_url("p-1"))
        assert response.url == reverse("accounts:organisation_detail", kwargs={"pk": organisation.pk})
        assert OrganisationMembership.objects.current().filter(user=joiner, organisation=organisation).exists()
        assert "already been used" in client.get(accept_url("p-1")).content.decode()

    def test_expired_and_unknown_links(self, client, organisation):
        OrganisationInvitationFactory(organisation=organisation, token="p-2", expired=True)
        assert "has expired" in client.get(accept_url("p-2")).content.decode()
        assert client.get(accept_url("no-such-token")).status_code == 404


@pytest.fixture
def api(client):
    def call(user, name, data=None, **kwargs):
        if user is not None:
            client.force_login(user)
        url = reverse(f"accounts-api:{name}", kwargs=kwargs or None)
        return client.post(url, data or {}, content_type="application/json")

    return call


class TestApi:
    def test_member_invites_without_the_token_in_the_answer(self, api, member, organisation, run_on_commit):
        with run_on_commit():
            response = api(member, "organisation_invite", {"email": "api@example.org"}, pk=organisation.pk)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["email"] == "api@example.org" and body["status"] == "pending"
        assert body["organisation_id"] == organisation.pk and "token" not in str(body)
        assert mail.outbox[0].to == ["api@example.org"]

    def test_bad_input_400_conflict_409_stranger_404_declined_403(self, api, member, organisation):
        bad = api(member, "organisation_invite", {"email": "nope"}, pk=organisation.pk)
        assert bad.status_code == 400 and "email" in bad.json()["errors"]
        assert api(member, "organisation_invite", {}, pk=organisation.pk).status_code == 400
        clash = api(member, "organisation_invite", {"email": member.email}, pk=organisation.pk)
        assert clash.status_code == 409 and "already a member" in clash.json()["errors"]["email"][0]
        assert (
            api(UserFactory(), "organisation_invite", {"email": "x@example.org"}, pk=organisation.pk).status_code == 404
        )
        declined = OrganisationFactory(declined=True)
        response = api(declined.registered_by, "organisation_invite", {"email": "x@example.org"}, pk=declined.pk)
        assert response.status_code == 403
        assert not OrganisationInvitation.objects.exists()

    def test_accept(self, api, organisation):
        OrganisationInvitationFactory(organisation=organisation, email="joiner@example.org", token="a-1")
        other = api(UserFactory(email="other@example.org"), "organisation_invitation_accept", {"token": "a-1"})
        assert other.status_code == 400 and "different email address" in str(other.json())
        joiner = UserFactory(email="joiner@example.org")
        response = api(joiner, "organisation_invitation_accept", {"token": "a-1"})
        assert response.status_code == 200
        assert response.json()["organisation_id"] == organisation.pk
        again = api(joiner, "organisation_invitation_accept", {"token": "a-1"})
        assert again.status_code == 409
        assert api(joiner, "organisation_invitation_accept", {}).status_code == 400

    def test_expiry_is_seven_days(self, member, organisation):
        invitation, _ = services.organisation_invite(
            actor=member, organisation_id=organisation.pk, email="e@example.org"
        )
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)
