"""Production: PostgreSQL, Redis, secrets and hosts from the environment; passes `check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

from core.client_ip import parse_trusted_proxies

from .base import *  # noqa: F403
from .base import env, env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a long random value (50+ characters).")
# Links in emails are built from SITE_URL (the worker has no request to read the host from): without it real emails
# would link to 127.0.0.1.
SITE_URL = os.environ.get("SITE_URL", "").strip()
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must be set to the service's public address (https://host), used in emails.")

# The Django admin is off in production unless turned on for a task (docs/operations.md).
ADMIN_ENABLED = env_bool("DJANGO_ADMIN_ENABLED", False)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Only behind a proxy that always sets (and overwrites) this header.
if env_bool("DJANGO_BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Per-address limits must see the client, not the proxy: X-Forwarded-For is read only when the connection comes
    # from one of these (core/client_ip.py; docs/operations.md).
    TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1")
try:
    parse_trusted_proxies(tuple(TRUSTED_PROXIES))
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None

if env("REDIS_URL"):
    # Several app servers share the cache, so allauth's rate limits and the cached list totals hold across them.
    # Sessions live in the database with this cache in front (base: SESSION_ENGINE = "core.sessions"). A failure is a
    # miss (core.cache.ResilientRedisCache); short timeouts and its breaker make a frozen Redis cost milliseconds.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {
                "socket_connect_timeout": float(env("CACHE_SOCKET_TIMEOUT", "0.25")),
                "socket_timeout": float(env("CACHE_SOCKET_TIMEOUT", "0.25")),
                "RETRY_AFTER": float(env("CACHE_RETRY_AFTER", "2")),
            },
        }
    }
# Without REDIS_URL the cache is per process (base settings): fine for one app server with one gunicorn worker only.
# deploy/gunicorn.conf.py refuses to start more than one worker without REDIS_URL; docs/operations.md explains.

# Uploaded files: the filesystem (MEDIA_ROOT) by default; S3-compatible object storage when a bucket is named.
if env("AWS_STORAGE_BUCKET_NAME"):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
                "region_name": env("AWS_S3_REGION_NAME"),
                "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": int(env("AWS_QUERYSTRING_EXPIRE", "300")),
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }

# Outgoing mail, errors to the admins without request data (base settings); the file backend is for smoke tests.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
