"""Demo users: one per role, DEBUG only, two-factor with the documented secret, safe to re-run."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import override_settings

from accounts import demo, roles
from accounts.models import User
from accounts.selectors import schools_acting_for, user_role_names

from .factories import SchoolFactory, london_authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def hackney_secondary():
    SchoolFactory(urn=150002, local_authority=london_authority(204))
    SchoolFactory(urn=150003, local_authority=london_authority(204), primary=True)
    return SchoolFactory(urn=150001, local_authority=london_authority(204))


@override_settings(DEBUG=True)
def test_one_user_per_role_with_two_factor_where_required(hackney_secondary):
    demo.seed(stdout=io.StringIO(), options={})
    demo.seed(stdout=io.StringIO(), options={})  # re-running changes nothing
    # One per role, plus the demo primary's own Stepping Stones lead (the fixture has a Hackney primary).
    assert User.objects.count() == len(demo.DEMO_USERS) + 1
    primary_lead = User.objects.get(email=demo.demo_email(demo.PRIMARY_LEAD[0]))
    assert roles.STEPPING_STONES_LEAD in user_role_names(primary_lead)
    assert Authenticator.objects.filter(user=primary_lead, type=Authenticator.Type.TOTP).exists()
    assert [s.urn for s in schools_acting_for(primary_lead)] == [150003]
    held = set()
    for local, _name, role in demo.DEMO_USERS:
        user = User.objects.get(email=demo.demo_email(local))
        assert user.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
        names = user_role_names(user)
        held |= names
        if role != roles.SIGNED_IN:
            assert role in names
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        assert (totp is not None) is (role in roles.MFA_REQUIRED_ROLES)
        if totp is not None:
            import time

            code = format_hotp_value(hotp_value(demo.DEMO_TOTP_SECRET, int(time.time()) // 30))
            assert TOTP(totp).validate_code(code)
    assert held == set(roles.ROLES)
    head = User.objects.get(email=demo.demo_email("headteacher"))
    assert list(schools_acting_for(head)) == [hackney_secondary]


@override_settings(DEBUG=False)
def test_nothing_without_debug(hackney_secondary):
    out = io.StringIO()
    demo.seed(stdout=out, options={})
    assert not User.objects.exists() and "only created when DEBUG is on" in out.getvalue()
