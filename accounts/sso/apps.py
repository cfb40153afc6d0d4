from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on through OpenID Connect (DfE Sign-in, Microsoft Entra ID). Models are allauth's
    (`SocialAccount` is the link between a portal account and a provider identity); this app holds the provider
    class, the ID token checks, the adapter's rules and the pages."""

    name = "accounts.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from . import audit  # noqa: F401  (records links made and removed through allauth's own views)
