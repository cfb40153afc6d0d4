"""Who the access matrix signs in as, and the rows of the accounts app's URLs."""

from django.contrib.auth import get_user_model

from accounts.identity.access_rows import ROWS as IDENTITY_ROWS


def _signed_in():
    return get_user_model().objects.create_user(email="someone@example.org", password="a-long-test-password")


ROLE_BUILDERS = {
    "anonymous": lambda: None,
    "signed_in": _signed_in,
}
ROWS = [*IDENTITY_ROWS]
