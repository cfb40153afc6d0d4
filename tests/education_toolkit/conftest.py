import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from education_toolkit import services
from tests.accounts.factories import (
    OrganisationMembershipFactory,
    SchoolMembershipFactory,
    UserFactory,
)
from tests.accounts.test_identity_support import give_totp

from .factories import toolkit_editor


@pytest.fixture
def editor():
    user = toolkit_editor(full_name="Erin Editor")
    give_totp(user)  # VRU roles need two-factor sign-in to reach any page
    return user


@pytest.fixture
def teacher():
    user = SchoolMembershipFactory(user=UserFactory(full_name="Tom Teacher")).user
    services.terms_accept(user=user)
    return user


@pytest.fixture
def community_member():
    """A member of a community group that is not verified yet."""
    membership = OrganisationMembershipFactory(
        organisation__status="pending", organisation__type="community", user=UserFactory(full_name="Cara Community")
    )
    services.terms_accept(user=membership.user)
    return membership.user


@pytest.fixture
def upload():
    def _upload(name, content, content_type="application/octet-stream"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return _upload
