"""Who the access matrix signs in as. The accounts issue adds one builder per role in PRODUCT.md."""

from django.contrib.auth import get_user_model


def _signed_in():
    return get_user_model().objects.create_user(email="someone@example.org", password="a-long-test-password")


ROLE_BUILDERS = {
    "anonymous": lambda: None,
    "signed_in": _signed_in,
}
ROWS = []
