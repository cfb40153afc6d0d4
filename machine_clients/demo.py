"""Demo data: one registered system, so `make run` shows client credentials working end to end.

Hackney's education data warehouse (a made-up system) holds the three read-only scopes. Its client id and secret are
documented in docs/demo-users.md like the demo passwords (DEBUG only: `seed_demo` refuses otherwise), so anyone
trying the portal can ask `/oauth/token/` for a token and call the API as a system.
"""

from unittest import mock

from django.conf import settings
from django.db import transaction
from oauth2_provider.models import Application

from core.api.machine_scopes import SCOPES

from . import services
from .models import MachineClient

ORDER = 90
NAME = "Hackney education data warehouse (demo)"
CLIENT_ID = "demo-hackney-data-warehouse"
CLIENT_SECRET = "demo-client-secret-2026"  # noqa: S105 - documented demo credential, DEBUG only
HACKNEY = 204


@transaction.atomic
def seed(*, stdout, options) -> None:
    from accounts.demo import demo_email
    from accounts.models import User

    if not settings.DEBUG:
        stdout.write("  demo system skipped: demo credentials are only created when DEBUG is on")
        return
    if MachineClient.objects.filter(application__client_id=CLIENT_ID).exists():
        stdout.write("  demo system already registered")
        return
    admin = User.objects.filter(email=demo_email("programme-admin")).first()
    if admin is None:
        stdout.write("  demo system skipped: the demo programme admin is missing")
        return
    # The service makes a random id and secret and shows the secret once; the demo's are fixed and published, like its
    # passwords, so they are what the service draws (and what its audit entry records).
    client_id_field = Application._meta.get_field("client_id")
    with (
        mock.patch.object(client_id_field, "_get_default", lambda: CLIENT_ID),
        mock.patch.object(services, "generate_client_secret", lambda: CLIENT_SECRET),
    ):
        services.machine_client_register(
            actor=admin, name=NAME, scopes=list(SCOPES), days=365, local_authority_code=HACKNEY
        )
    stdout.write(f"  demo system: {NAME}, client id {CLIENT_ID}, secret {CLIENT_SECRET}")
