"""gunicorn for the portal: sync workers, everything from the environment.

    gunicorn -c deploy/gunicorn.conf.py schools_portal.wsgi

Each app server is stateless (sessions and rate limits in Redis, files in object storage or a shared volume), so
scale by adding workers here (GUNICORN_WORKERS, about 2 x cores + 1) or more app servers behind the load balancer.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never takes a server down; jitter avoids all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Only the load balancer in front may set X-Forwarded-*; list its address (comma-separated) here.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application writes one JSON line per request (portal.request logger) with its request id; gunicorn's own
# access log would repeat it with the raw path (which can carry identifiers), so it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the application before forking: a broken configuration fails at start, not on the first request.
preload_app = True
limit_request_line = 8190
limit_request_fields = 100


def on_starting(server):
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "REDIS_URL is not set: with more than one worker, sessions and sign-in rate limits need the shared cache. "
            "Set REDIS_URL (see docs/operations.md) or GUNICORN_WORKERS=1."
        )


def when_ready(server):
    """Build what every worker would otherwise build on its first request, once, in the master (the application is
    preloaded, so workers forked from it, and those replacing recycled ones, share it): the OpenAPI schema behind the
    API's query-parameter check takes 2-3 s to generate. The master then drops any database connection it opened, so
    no worker inherits a socket another process uses."""
    from django.db import connections

    from core.api.query import declared_query_parameters

    declared_query_parameters()
    connections.close_all()
