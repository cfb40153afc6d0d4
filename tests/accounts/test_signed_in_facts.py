"""What every signed-in page pays: the person's account, roles, two-factor set-up and navigation are read once per
request in a constant number of queries, kept across requests in their cached facts (core.user_facts: none once
cached), and every write that changes them shows on the next request (accounts.facts, accounts.models)."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.identity.services import sessions_revoke_all, two_factor_reset
from accounts.models import Organisation, ProgrammeRole, SchoolDuty, SchoolMembership, User
from accounts.selectors import user_role_names
from accounts.services import duty_grant, membership_end, programme_role_end, programme_role_grant
from tests.accounts.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    PoliceRoleFactory,
    ProgrammeRoleFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
    programme_admin,
    with_two_factor,
)
from tests.wands.factories import WandRequestFactory

PAGE = "/privacy"  # the service layout around static text: what every page pays, and nothing of its own


def _get(client, url=PAGE) -> tuple[str, int]:
    """The page's HTML and the number of queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries)


def _navigation(html: str) -> str:
    start = html.index('id="navigation"')
    return html[start : html.index("</ul>", start)]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cached(client) -> str:
    """The page once everything it reads about the person is cached: the first page of the day marks the account
    seen (a write, so its snapshot is read again on the next); from the third on, no query."""
    _get(client)
    _get(client)
    html, queries = _get(client)
    assert queries == 0
    return html


def _many_roles(user, *, schools: int) -> None:
    """Headteacher of `schools` schools (each with a duty and wand requests: tasks), a police allocator, a toolkit
    editor and a member of a verified organisation."""
    for _ in range(schools):
        membership = SchoolMembershipFactory(user=user, school=SchoolFactory(), role=SchoolMembership.Role.HEADTEACHER)
        SchoolDutyFactory(membership=membership, duty=SchoolDuty.Duty.STEPPING_STONES_LEAD)
        WandRequestFactory(school=membership.school)
    PoliceRoleFactory(user=user, allocator=True)
    ProgrammeRoleFactory(user=user, kind=ProgrammeRole.Kind.TOOLKIT_EDITOR)
    OrganisationMembershipFactory(user=user, organisation=OrganisationFactory(verified=True))


@pytest.mark.django_db
def test_the_signed_in_page_makes_the_same_queries_whatever_the_roles_and_tasks():
    """In one test transaction nothing is cached for people whose records changed in it (core.user_facts), so these
    are the reads themselves: the account, the roles and the authenticator, the same for one role or many."""
    few = with_two_factor(programme_admin())
    many = with_two_factor(programme_admin())
    _many_roles(many, schools=6)
    few_client, many_client = _signed_in(few), _signed_in(many)
    _get(few_client)
    _get(many_client)
    few_html, few_queries = _get(few_client)
    many_html, many_queries = _get(many_client)
    assert "Your schools" in _navigation(many_html) and "Your schools" not in _navigation(few_html)
    assert many_queries == few_queries <= 3


@pytest.mark.django_db(transaction=True)
def test_once_cached_the_signed_in_page_makes_no_query():
    """Outside a test transaction (as in production) the second page reads everything from the cached facts."""
    user = with_two_factor(programme_admin())
    _many_roles(user, schools=3)
    client = _signed_in(user)
    first_html = _get(client)[0]
    html = _cached(client)
    assert html.count("govuk-service-navigation__item") == first_html.count("govuk-service-navigation__item")
    assert "People and roles" in _navigation(html) and "Your schools" in _navigation(html)


@pytest.mark.django_db(transaction=True)
def test_a_role_granted_or_ended_shows_on_the_next_request():
    actor = with_two_factor(programme_admin())
    user = with_two_factor(UserFactory())
    client = _signed_in(user)
    assert "Audit" not in _navigation(_cached(client))
    role = programme_role_grant(actor=actor, user=user, kind=ProgrammeRole.Kind.TOOLKIT_EDITOR)
    assert "Audit" in _navigation(_get(client)[0])
    assert client.get("/audit/").status_code == 200
    programme_role_end(actor=actor, role_id=role.pk, reason="Moved on")
    assert "Audit" not in _navigation(_get(client)[0])
    assert client.get("/audit/").status_code in {403, 404}


@pytest.mark.django_db(transaction=True)
def test_a_membership_or_duty_change_shows_on_the_next_request():
    user = with_two_factor(UserFactory())
    school = SchoolFactory()
    head = with_two_factor(UserFactory())
    SchoolMembershipFactory(user=head, school=school, role=SchoolMembership.Role.HEADTEACHER)
    membership = SchoolMembershipFactory(user=user, school=school, role=SchoolMembership.Role.STAFF)
    client = _signed_in(user)
    html = _cached(client)
    assert "Stepping Stones" not in _navigation(html) and "Your schools" in _navigation(html)
    duty_grant(actor=head, membership_id=membership.pk, duty=SchoolDuty.Duty.STEPPING_STONES_LEAD)
    assert "Stepping Stones" in _navigation(_get(client)[0])
    membership_end(actor=head, membership_id=membership.pk, reason="Left the school")
    navigation = _navigation(_get(client)[0])
    assert "Stepping Stones" not in navigation and "Your schools" not in navigation


@pytest.mark.django_db(transaction=True)
def test_a_bulk_update_of_role_records_shows_on_the_next_request():
    """`QuerySet.update` sends no signal: the role records' queryset makes everyone's facts stale itself."""
    user = with_two_factor(UserFactory())
    SchoolMembershipFactory(user=user, role=SchoolMembership.Role.HEADTEACHER)
    client = _signed_in(user)
    assert "Your schools" in _navigation(_cached(client))
    SchoolMembership.objects.filter(user=user).update(ended_at=timezone.now())
    assert "Your schools" not in _navigation(_get(client)[0])


@pytest.mark.django_db(transaction=True)
def test_an_organisation_verified_gives_its_members_their_role_at_once():
    user = UserFactory()
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    OrganisationMembershipFactory(user=user, organisation=organisation)
    client = _signed_in(user)
    _cached(client)
    assert roles.ORGANISATION_MEMBER not in user_role_names(User.objects.get(pk=user.pk))
    organisation.status = Organisation.Status.VERIFIED
    organisation.save()
    _get(client)
    fresh = User.objects.get(pk=user.pk)
    assert roles.ORGANISATION_MEMBER in user_role_names(fresh)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_grant_never_reaches_the_cache():
    actor = with_two_factor(programme_admin())
    user = with_two_factor(UserFactory())
    client = _signed_in(user)
    _cached(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        programme_role_grant(actor=actor, user=user, kind=ProgrammeRole.Kind.TOOLKIT_EDITOR)
        reader = User.objects.get(pk=user.pk)
        assert roles.TOOLKIT_EDITOR in user_role_names(reader)  # read (and not stored) inside the transaction
        raise RuntimeError("the service failed after the grant")
    assert "Audit" not in _navigation(_get(client)[0])
    assert roles.TOOLKIT_EDITOR not in user_role_names(User.objects.get(pk=user.pk))


@pytest.mark.django_db(transaction=True)
def test_account_changes_apply_on_the_next_request():
    """The account read from the cached facts: a deactivation, a new password and "sign out everywhere" each end the
    session on the next request, as when the account was read from the database."""
    people = [with_two_factor(UserFactory()) for _ in range(3)]
    clients = [_signed_in(person) for person in people]
    for client in clients:
        assert "Sign out" in _cached(client)
    deactivated, new_password, everywhere = people
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    new_password.set_password("another-long-password-2026")
    new_password.save()
    sessions_revoke_all(user=User.objects.get(pk=everywhere.pk))
    for client in clients:
        assert "Sign in" in _get(client)[0]


@pytest.mark.django_db(transaction=True)
def test_an_authenticator_removed_applies_on_the_next_request():
    """A session that entered a code passes only while its person still has the authenticator (read from the
    cached facts): once it is removed, the next page asks a programme admin to set one up."""
    user = with_two_factor(programme_admin())
    client = _signed_in(user)
    _cached(client)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db(transaction=True)
def test_a_two_factor_reset_signs_the_person_out_on_the_next_request():
    actor = with_two_factor(programme_admin())
    user = with_two_factor(programme_admin())
    client = _signed_in(user)
    _cached(client)
    two_factor_reset(user_id=user.pk, actor=actor, reason="Checked their identity by video call")
    assert "Sign in" in _navigation(_get(client)[0])


def _waiting_for_approval(client) -> int:
    groups = dict(client.get("/").context["task_groups"])
    counts = {task.label: task.count for task in groups.get("Knife wands", [])}
    return counts.get("Wand requests waiting for approval", 0)


@pytest.mark.django_db(transaction=True)
def test_a_new_task_shows_on_the_landing_page_at_once():
    client = _signed_in(with_two_factor(programme_admin()))
    assert _waiting_for_approval(client) == 0
    WandRequestFactory()
    assert _waiting_for_approval(client) == 1
    WandRequestFactory()
    assert _waiting_for_approval(client) == 2


class CacheReads:
    """Counts the default cache's reads (get and get_many: one each, whatever the backend calls inside) while it is
    installed."""

    def __init__(self, monkeypatch, backend=None):
        from django.core.cache import caches

        self.calls = []
        self._inside = False
        backend = backend or caches["default"]
        for name in ("get", "get_many"):
            monkeypatch.setattr(backend, name, self._counting(name, getattr(backend, name)))

    def _counting(self, name, real):
        def read(*args, **kwargs):
            if self._inside:  # LocMemCache.get_many calls get for each key: one call all the same
                return real(*args, **kwargs)
            self.calls.append(name)
            self._inside = True
            try:
                return real(*args, **kwargs)
            finally:
                self._inside = False

        return read


@pytest.mark.django_db(transaction=True)
def test_a_known_session_is_read_with_its_persons_facts_in_one_cache_call(monkeypatch):
    """Signed in, the session names the person, and their facts are read after it: a process that has seen the
    session reads both at once (core.sessions)."""
    user = with_two_factor(programme_admin())
    client = _signed_in(user)
    _cached(client)
    reads = CacheReads(monkeypatch)
    html, queries = _get(client)
    assert queries == 0 and "Sign out" in html
    assert reads.calls == ["get_many"]


@pytest.mark.django_db(transaction=True)
def test_a_session_remembered_for_someone_else_is_still_read_as_its_own_person(monkeypatch):
    """The hint is never trusted: the facts read with the session are used only for the person the session names."""
    from core import sessions

    user, other = with_two_factor(programme_admin()), UserFactory()
    client = _signed_in(user)
    _cached(client)
    sessions._users_of_sessions[client.session.session_key] = other.pk
    reads = CacheReads(monkeypatch)
    html, queries = _get(client)
    assert queries == 0
    assert reads.calls == ["get_many", "get_many"]  # the session (with the other's facts, unused), then the person's
    assert _navigation(html) == _navigation(_cached(_signed_in(user)))
    assert sessions._users_of_sessions[client.session.session_key] == user.pk
