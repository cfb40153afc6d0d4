"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

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
    "django_tasks",
    "django_tasks_db",
    "csp",
]
# Order follows the import direction: core <- schools <- accounts <- programmes <- insights/public.
LOCAL_APPS = [
    "core",
    "schools",
    "accounts",
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
    # Under /api/ every error answer is problem details (RFC 9457), whichever layer wrote it.
    "core.api.middleware.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: end expired or revoked sessions, then demand two-factor set-up (checked
    # against the real user), then swap in the user being viewed as.
    "accounts.identity.middleware.SessionPolicyMiddleware",
    "accounts.identity.middleware.TwoFactorRequiredMiddleware",
    "accounts.identity.middleware.ViewAsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Personal API tokens for integrations (first, so an unauthenticated call gets 401 with WWW-Authenticate: Bearer),
    # the session for the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
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
        "core.api.schema.document_errors",
    ],
    # Several models have a `status` field; name each choice set after its model so the schema stays stable.
    "ENUM_NAME_OVERRIDES": {
        "SchoolStatusEnum": "schools.models.School.Status",
        "OrganisationStatusEnum": "accounts.models.Organisation.Status",
        "JoinRequestStatusEnum": "accounts.models.JoinRequest.Status",
        "WandRequestStatusEnum": "wands.models.WandRequest.Status",
    },
}

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
