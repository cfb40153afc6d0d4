"""The admin shows role records read-only: changes go through the audited services."""

import pytest
from django.urls import reverse

from .factories import InvitationFactory, SchoolMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "schoolmembership",
    "schoolduty",
    "policerole",
    "programmerole",
    "organisation",
    "organisationmembership",
    "invitation",
    "joinrequest",
]


@pytest.mark.parametrize("model", MODELS)
def test_lists_but_never_adds(client, model):
    SchoolMembershipFactory()
    InvitationFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403
