"""The objects the machine clients' access rows point at (machine_clients/access_matrix.py names them)."""


def client_pk() -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oauth2_provider.models import Application

    from machine_clients.models import MachineClient

    admin, _ = get_user_model().objects.get_or_create(email="client-registrar@example.org")
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
