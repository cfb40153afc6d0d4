"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from core.api.machine_scopes import SCOPES as MACHINE_SCOPES

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SERVICE_NAME = "London Schools Safety Portal"
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Proxies whose X-Forwarded-For is believed (addresses or networks; core/client_ip.py). None by default.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# Where the Beta banner's "feedback" link goes: a page (https://…) or an address (mailto:…); by default the portal's
# own feedback page, which gives FEEDBACK_EMAIL.
FEEDBACK_URL = env("FEEDBACK_URL", "/feedback")
FEEDBACK_EMAIL = env("FEEDBACK_EMAIL", "feedback@schools-safety.london")
# The Stepping Stones programme team, shown on confirmation pages ("contact us").
STEPPING_STONES_CONTACT_EMAIL = env("STEPPING_STONES_CONTACT_EMAIL", "stepping.stones@schools-safety.london")
STEPPING_STONES_CONTACT_PHONE = env("STEPPING_STONES_CONTACT_PHONE", "020 7983 4000")
SITE_ID = 1

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # FORM_RENDERER is TemplatesSetting: Django's own form templates must be findable
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "oauth2_provider",
]
# Order follows the import direction: core <- schools <- accounts <- programmes <- insights/public.
LOCAL_APPS = [
    "core",
    "schools",
    "accounts",
    "accounts.sso",  # single sign-on: the OpenID Connect provider class allauth loads, its checks and pages
    "machine_clients",
    "wands",
    "officers",
    "education_toolkit",
    "stepping_stones",
    "public",
    "insights",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Writes one access-log row per call an OAuth client makes (after the response, so with its status).
    "machine_clients.middleware.MachineClientCallLogMiddleware",
    # Under /api/ every error answer is problem details (RFC 9457), whichever layer wrote it.
    "core.api.middleware.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.sso.middleware.ProviderFormActionMiddleware",  # form-action: the configured providers' origins
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in account read from the person's cached facts (core.user_facts) when current.
    "accounts.identity.cached_user.CachedAuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: end expired or revoked sessions, then demand two-factor set-up (checked
    # against the real user), then swap in the user being viewed as.
    "accounts.identity.middleware.SessionPolicyMiddleware",
    "accounts.identity.middleware.TwoFactorRequiredMiddleware",
    "accounts.identity.middleware.ViewAsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the view: a GET to the API with a query parameter its schema does not declare is 400.
    "core.api.query.KnownQueryParametersMiddleware",
    # Last, so that it sees the user the API acts for: ETag / If-Match / 428 / 412 and RateLimit-* under /api/.
    "core.api.middleware.ApiConcurrencyMiddleware",
]

ROOT_URLCONF = "schools_portal.urls"
WSGI_APPLICATION = "schools_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "schools_portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.service",
                "accounts.identity.context_processors.session_timeout",
            ],
            "builtins": ["core.templatetags.govuk"],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) keeps rate limits consistent across several app servers. Its failures are misses
# (core.cache): Redis down or frozen never turns a page into an error.
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
# Cached page fragments (core.fragments) only where the cache is shared with every process that writes (the worker
# too): a per-process cache would not see the worker's writes.
FRAGMENT_CACHE = env("FRAGMENT_CACHE", "1" if env("REDIS_URL") else "0") == "1"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# The Django admin (/django-admin/, staff only, signed in through the portal's sign-in). Production turns it off
# unless DJANGO_ADMIN_ENABLED is set (schools_portal/settings/production.py; docs/operations.md).
ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", True)
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login, verified before use; no enumeration. Rate limits live in the default cache, so
# they hold across app servers when REDIS_URL gives them a shared one.
ACCOUNT_ADAPTER = "accounts.identity.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.identity.forms.LoginForm",
    "signup": "accounts.identity.forms.SignupForm",
    "reset_password": "accounts.identity.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.identity.forms.ResetPasswordKeyForm",
    "change_password": "accounts.identity.forms.ChangePasswordForm",
}
MFA_ADAPTER = "accounts.identity.adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
# Organisation invitations (only verified organisations send them): at most this many in any 24 hours, per
# organisation and per sender, counted from the invitations table.
ORGANISATION_INVITATIONS_PER_DAY = int(env("ORGANISATION_INVITATIONS_PER_DAY", "20"))
INVITATIONS_PER_SENDER_PER_DAY = int(env("INVITATIONS_PER_SENDER_PER_DAY", "10"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Set-up keeps one secret until it ends; every code entry counts on the account's counter of wrong secrets.
MFA_FORMS = {
    "activate_totp": "accounts.identity.mfa_forms.ActivateTOTPForm",
    "authenticate": "accounts.identity.mfa_forms.AuthenticateForm",
    "reauthenticate": "accounts.identity.mfa_forms.ReauthenticateForm",
}
MFA_TOTP_ISSUER = SERVICE_NAME
# A code is accepted for one 30-second step either side of now (RFC 6238 section 5.2): a code read at the end of its
# step, or on a phone whose clock is a few seconds out, still works when it reaches the server. allauth remembers a
# used code for the whole window, so it cannot be replayed.
MFA_TOTP_TOLERANCE = 1

# Single sign-on (accounts/sso, docs/operations.md#single-sign-on): OpenID Connect through allauth, one provider per
# organisation, each shown on the sign-in page only when its discovery URL and client id are set. SSO proves who the
# person is; roles still come only from the portal's records. An email address links to an existing account by itself
# only when the provider is trusted for its domain (and, for Entra ID, the token comes from the pinned tenant).
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by email is the adapter's decision, per provider
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST from the portal's own page (CSRF)
SOCIALACCOUNT_STORE_TOKENS = False  # the portal keeps no provider tokens
# Linking or removing a provider needs a sign-in (password, and two-factor where the roles require it) in the last few
# minutes: allauth asks to confirm it's you otherwise.
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True
SOCIALACCOUNT_REQUESTS_TIMEOUT = int(env("SSO_REQUESTS_TIMEOUT", "5"))
_ENTRA_TENANT_URL = (
    f"https://login.microsoftonline.com/{env('SSO_ENTRA_TENANT_ID')}/v2.0" if env("SSO_ENTRA_TENANT_ID") else ""
)
SSO_PROVIDERS = [
    {
        "id": "dfe",
        "name": "DfE Sign-in",
        "button": "Sign in with DfE Sign-in",
        "audience": "school staff",
        "server_url": env("SSO_DFE_DISCOVERY_URL", ""),
        "client_id": env("SSO_DFE_CLIENT_ID", ""),
        "secret": env("SSO_DFE_CLIENT_SECRET", ""),
        "scope": ["openid", "email", "profile", "organisation"],
        "tenant_id": "",
        "trusted_email_domains": env_list("SSO_DFE_TRUSTED_EMAIL_DOMAINS"),
        "mfa_acr_values": env_list("SSO_DFE_MFA_ACR_VALUES"),
        "rp_logout": env_bool("SSO_DFE_LOGOUT", True),
    },
    {
        "id": "entra",
        "name": "Met or GLA account",
        "button": "Sign in with your Met or GLA account",
        "audience": "police and VRU staff",
        # Pinned to the tenant: its issuer is that tenant's, never the multi-tenant "common" endpoint's.
        "server_url": env("SSO_ENTRA_DISCOVERY_URL", "") or _ENTRA_TENANT_URL,
        "client_id": env("SSO_ENTRA_CLIENT_ID", ""),
        "secret": env("SSO_ENTRA_CLIENT_SECRET", ""),
        "scope": ["openid", "email", "profile"],
        "tenant_id": env("SSO_ENTRA_TENANT_ID", ""),
        "trusted_email_domains": env_list("SSO_ENTRA_TRUSTED_EMAIL_DOMAINS"),
        "mfa_acr_values": env_list("SSO_ENTRA_MFA_ACR_VALUES"),
        "rp_logout": env_bool("SSO_ENTRA_LOGOUT", True),
    },
]


def sso_socialaccount_providers(providers: list[dict]) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for the configured providers only (accounts.sso.provider)."""
    apps = [
        {
            "provider_id": p["id"],
            "name": p["name"],
            "client_id": p["client_id"],
            "secret": p["secret"],
            "settings": {
                "server_url": p["server_url"],
                "scope": p["scope"],
                "oauth_pkce_enabled": True,
                **{k: p[k] for k in ("button", "audience", "tenant_id", "trusted_email_domains", "mfa_acr_values")},
                "rp_logout": p["rp_logout"],
            },
        }
        for p in providers
        if p["server_url"] and p["client_id"]
    ]
    return {"sso": {"APPS": apps}}


SOCIALACCOUNT_PROVIDERS = sso_socialaccount_providers(SSO_PROVIDERS)

# accounts.identity.middleware.SessionPolicyMiddleware ends a session 12 hours after sign-in whatever happens, after
# 30 minutes without a request, and when the user signs out everywhere; the cookie never outlives the absolute limit.
SESSION_COOKIE_AGE = 12 * 60 * 60
# Sessions live in the database with the cache in front: a Redis outage or restart signs nobody out (core.sessions).
SESSION_ENGINE = "core.sessions"
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # problem details under /api/, the GOV.UK page elsewhere

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "schools_portal" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A relay that stops answering must not hold a task for ever (the worker takes back tasks running too long).
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "London Schools Safety Portal <no-reply@schools-safety.london>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Portal operations", a) for a in env_list("DJANGO_ADMINS")]

# Background work: emails and other side effects run in the db_worker, after the transaction commits.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The cross-programme figures: "stored" reads the summary rows the worker keeps (insights.summaries); "live" (tests)
# reads the programmes' figures at each read.
FIGURE_SUMMARIES = env("FIGURE_SUMMARIES", "stored")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PortalAutoSchema",
    # Personal API tokens for integrations (first, so an unauthenticated call gets 401 with WWW-Authenticate: Bearer),
    # the session for the browser.
    # Then OAuth 2.0 access tokens of systems (client credentials; they start `lssc_`, personal tokens `lssp_`),
    # which also checks the view's scope (machine_clients.authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.identity.authentication.ApiTokenAuthentication",
        "machine_clients.authentication.MachineClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # "client": a system calling with an OAuth access token (machine_clients), per client (core.api.throttling).
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "client": "600/min"},
    # Request bodies are JSON; an operation that takes a file declares MultiPartParser itself (and only that).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SERVICE_NAME} API",
    "DESCRIPTION": "REST API of the London Schools Safety Portal. Version 1 lives under /api/v1/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # OpenAPI 3.1: a nullable reference is `oneOf: [{$ref}, {type: null}]`, which strict validators accept (3.0's
    # `allOf` + `nullable` without a type is rejected for the City of London rows, whose `bcu` is null).
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.patch_schemas_without_defaults",
        "core.api.schema.summaries_and_parameter_descriptions",
        "core.api.schema.document_errors",
    ],
    # Several models have a `status` field; name each choice set after its model so the schema stays stable.
    "ENUM_NAME_OVERRIDES": {
        "SchoolStatusEnum": "schools.models.School.Status",
        "OrganisationStatusEnum": "accounts.models.Organisation.Status",
        "JoinRequestStatusEnum": "accounts.models.JoinRequest.Status",
        "WandRequestStatusEnum": "wands.models.WandRequest.Status",
        "MachineClientStatusEnum": "machine_clients.models.MachineClient.Status",
        "ReferralStatusEnum": "stepping_stones.models.Referral.Status",
        "CohortStatusEnum": "stepping_stones.models.Cohort.Status",
        "OptimiserRunStatusEnum": "officers.models.OptimiserRun.Status",
        "OfficerRequestKindEnum": "officers.models.OfficerRequest.Kind",
        "InvitationStatusEnum": "accounts.api.serializers.INVITATION_STATUSES",
        "OrganisationInvitationStatusEnum": "accounts.api.serializers.ORGANISATION_INVITATION_STATUSES",
        "ApiTokenStateEnum": "accounts.identity.api.serializers.API_TOKEN_STATES",
    },
}

# OAuth 2.0 for systems (django-oauth-toolkit): the client credentials grant only (BackendApplicationServer), a
# hashed client secret, access tokens for an hour, no refresh tokens. Scopes: core.api.machine_scopes; a client gets
# only the scopes a programme admin gave it (machine_clients.oauth.MachineClientScopes).
OAUTH2_PROVIDER = {
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",
    "OAUTH2_VALIDATOR_CLASS": "machine_clients.oauth.MachineClientValidator",
    "SCOPES_BACKEND_CLASS": "machine_clients.oauth.MachineClientScopes",
    "ACCESS_TOKEN_GENERATOR": "machine_clients.oauth.access_token_generate",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(env("OAUTH_ACCESS_TOKEN_SECONDS", "3600")),
    "SCOPES": MACHINE_SCOPES,
    "DEFAULT_SCOPES": [],
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security BCP) everywhere, including tokens stored as hashes. Only client credentials is
    # served, so most of these guard grants that are off anyway; they keep `check --deploy` clean.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# django-oauth-toolkit's own models (named so that migrations referring to them resolve).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
# The access log of machine clients' calls (machine_clients.MachineClientCall) keeps this many days; older rows are
# deleted by `manage.py machine_clients_prune_calls` (run daily, docs/operations.md).
MACHINE_CLIENT_CALL_RETENTION_DAYS = int(env("MACHINE_CLIENT_CALL_RETENTION_DAYS", "90"))

# Content security policy with per-request nonces (GOV.UK Frontend's inline js-enabled script carries one).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the portal does not use, denied everywhere (core.middleware.PermissionsPolicyMiddleware). Only
# features Chromium knows: an unknown one is a console error on every page. Two-factor is an app code, not WebAuthn.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
        "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
X_FRAME_OPTIONS = "DENY"

# Error reports never carry request bodies or cookies: pupil data passes through forms.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.errors.NoRequestBodyReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "core.errors.NoRequestDataExceptionReporter"

LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # During an outage every request fails the same way: the admins get one email a minute per kind of error, and
    # the log one "service unavailable" line a minute per kind (core.outage), not one per request.
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "once_per_minute": {"()": "core.outage.OncePerMinuteFilter"},
        "unavailable_once_per_minute": {"()": "core.outage.UnavailableOncePerMinuteFilter"},
    },
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
        "console_requests": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "unavailable_once_per_minute"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id", "once_per_minute"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"handlers": ["console_requests", "mail_admins"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# The nightly register refresh (manage.py gias_refresh): where the GIAS establishment extract and links file are read
# from (a path or an https:// URL; strftime placeholders such as %Y%m%d are today's date, then yesterday's), and the
# largest share of open schools one refresh may close before it applies nothing and alerts the programme admins.
GIAS_EXTRACT_SOURCE = env(
    "GIAS_EXTRACT_SOURCE",
    "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata%Y%m%d.csv",
)
GIAS_LINKS_SOURCE = env(
    "GIAS_LINKS_SOURCE",
    "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/links_edubasealldata%Y%m%d.csv",
)
GIAS_REFRESH_MAX_CLOSE_SHARE = float(env("GIAS_REFRESH_MAX_CLOSE_SHARE", "0.05"))
