"""My account and /api/v1/me/: roles, pending invitations and requests, two-factor status, tokens."""

import pytest
from django.urls import reverse

from accounts import roles
from tests.accounts.factories import (
    InvitationFactory,
    JoinRequestFactory,
    SchoolDutyFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    UserFactory,
)
from tests.accounts.test_identity_support import give_totp, programme_admin_with_two_factor

pytestmark = pytest.mark.django_db


def test_account_needs_sign_in(client):
    response = client.get(reverse("identity:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_shows_roles_pending_items_and_two_factor(client):
    school = SchoolFactory(name="Hackney Downs School")
    membership = SchoolMembershipFactory(school=school, headteacher=True)
    SchoolDutyFactory(membership=membership, stepping_stones_lead=True)
    user = membership.user
    give_totp(user)
    InvitationFactory(email=user.email, school=SchoolFactory(name="Mossbourne Academy"), staff=True)
    JoinRequestFactory(user=user, school=SchoolFactory(name="Clapton Girls' Academy"))
    client.force_login(user)
    body = client.get(reverse("identity:account")).content.decode()
    assert "Headteacher" in body and "Stepping Stones lead" in body and "Hackney Downs School" in body
    assert "Invitation to join Mossbourne Academy as staff" in body
    assert "request to join Clapton Girls&#x27; Academy" in body
    assert "Set up</strong>" in body
    assert "Programme admin tools" not in body


def test_required_but_missing_two_factor_is_not_reachable_so_optional_is_shown(client):
    client.force_login(UserFactory())
    body = client.get(reverse("identity:account")).content.decode()
    assert "You do not have any roles yet" in body
    assert "Not set up" in body
    assert reverse("mfa_activate_totp") in body


def test_programme_admin_sees_the_admin_tools(client):
    client.force_login(programme_admin_with_two_factor())
    body = client.get(reverse("identity:account")).content.decode()
    assert reverse("identity:view_as_start") in body
    assert reverse("identity:two_factor_reset") in body


@pytest.mark.parametrize("schools", [1, 15])
def test_account_and_me_query_counts_do_not_grow_with_roles(client, django_assert_max_num_queries, schools):
    user = UserFactory()
    for _ in range(schools):
        membership = SchoolMembershipFactory(user=user, headteacher=True)
        SchoolDutyFactory(membership=membership, stepping_stones_lead=True)
        InvitationFactory(email=user.email)
        JoinRequestFactory(user=user)
    give_totp(user)
    client.force_login(user)
    # The same bound at 1 and 15 schools: the page's queries do not grow with rows.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("identity:account"))
    assert response.content.decode().count("Stepping Stones lead") >= schools
    with django_assert_max_num_queries(10):
        me = client.get(reverse("identity-api:me")).json()
    assert len(me["roles"]) == 2 * schools


def test_me_returns_email_name_roles_and_two_factor(client):
    membership = SchoolMembershipFactory(headteacher=True)
    user = membership.user
    give_totp(user)
    client.force_login(user)
    me = client.get(reverse("identity-api:me")).json()
    assert me["id"] == user.pk
    assert me["email"] == user.email
    assert me["full_name"] == user.full_name
    assert me["viewing_as"] is False
    assert me["two_factor"] == {"required": True, "totp": True, "recovery_codes": False}
    (role,) = me["roles"]
    assert role["role"] == roles.HEADTEACHER
    assert role["school_urn"] == membership.school.urn
    assert role["where"] == membership.school.name


def test_me_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    for path in ["/api/v1/me/", "/api/v1/me/tokens/", "/api/v1/me/tokens/{token_id}/"]:
        assert path in schema["paths"], path
    assert "/api/v1/users/{user_id}/two-factor/reset/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token created in My account (shown once, expires, revocable).",
    }
