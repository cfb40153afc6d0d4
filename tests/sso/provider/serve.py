"""Start the test provider: `python -m tests.sso.provider.serve PORT` (environment: SSO_TEST_PROVIDER_DB,
SSO_TEST_PROVIDER_KEY, SSO_TEST_USERS, SSO_TEST_CLIENTS). Migrates a fresh SQLite database, creates the users and
the portal's two clients, then serves on 127.0.0.1:PORT with threads."""

import json
import os
import sys


def main() -> None:
    port = int(sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.models import Client
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    for email, spec in json.loads(os.environ["SSO_TEST_USERS"]).items():
        user = get_user_model().objects.create_user(username=email[:150], email=email, password=spec["password"])
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    for spec in json.loads(os.environ["SSO_TEST_CLIENTS"]):
        client = Client(
            id=spec["id"],
            name=spec["id"],
            type=Client.Type.CONFIDENTIAL,
            skip_consent=True,
        )
        client.set_scopes(["openid", "profile", "email", "organisation"])
        client.set_default_scopes(["openid"])
        client.set_grant_types(["authorization_code"])
        client.set_response_types(["code"])
        client.set_redirect_uris(spec["redirect_uris"])
        client.set_post_logout_redirect_uris(spec["post_logout_redirect_uris"])
        client.set_secret(spec["secret"])
        client.save()
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
