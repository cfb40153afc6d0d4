"""Access rows of the machine clients' pages and API (programme admins only) and the OAuth token endpoint."""

from core.access import AccessRow


def _client() -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oauth2_provider.models import Application

    from machine_clients.models import MachineClient

    admin = get_user_model().objects.create_user(email="client-registrar@example.org", password="a-long-test-password")
    application = Application.objects.create(
        name="Matrix borough import",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    client = MachineClient.objects.create(
        application=application,
        name="Matrix borough import",
        local_authority_id=204,
        scopes=["register:read"],
        registered_by=admin,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"pk": client.pk}


SIGN_IN = 302
ROWS = [
    AccessRow("machine_clients:list", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow("machine_clients:register", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}),
    AccessRow("machine_clients:detail", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}, kwargs=_client),
    AccessRow("machine_clients:revoke", {"anonymous": SIGN_IN, "default": 403, "programme_admin": 200}, kwargs=_client),
    AccessRow("api-clients-api:list", {"anonymous": 401, "default": 403, "programme_admin": 200}),
    AccessRow("api-clients-api:detail", {"anonymous": 401, "default": 403, "programme_admin": 200}, kwargs=_client),
    AccessRow(
        "api-clients-api:revoke",
        {"anonymous": 401, "default": 403, "programme_admin": 405},
        kwargs=_client,
        notes="POST only",
    ),
    AccessRow("oauth-token", {"default": 405}, notes="POST only, client credentials (RFC 6749)"),
]
