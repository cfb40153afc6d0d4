"""Operational settings: deployment checks, secrets, hashing, error reports without personal data, CSP, request ids,
and log lines without raw paths."""

import importlib
import json
import logging
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.views.debug import get_exception_reporter_filter

from core.errors import NoRequestBodyReporterFilter, NoRequestDataExceptionReporter
from core.logging import JsonFormatter, RequestIdFilter

BASE_DIR = Path(settings.BASE_DIR)
UPN = "A823456789012"  # a pupil's identifier: must never reach a report or a log


def production_settings(monkeypatch, secret_key, site_url="https://portal.example.org"):
    if site_url is None:
        monkeypatch.delenv("SITE_URL", raising=False)
    else:
        monkeypatch.setenv("SITE_URL", site_url)
    if secret_key is None:
        monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("DJANGO_SECRET_KEY", secret_key)
    return runpy.run_module("schools_portal.settings.production", run_name="production_under_test")


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "schools_portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "SITE_URL": "https://portal.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, "", "too-short-to-be-a-secret"])
def test_production_refuses_a_missing_or_short_secret_key(monkeypatch, secret_key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        production_settings(monkeypatch, secret_key)


@pytest.mark.parametrize("site_url", [None, "", "   "])
def test_production_refuses_to_start_without_site_url(monkeypatch, site_url):
    """Links in emails come from SITE_URL: production never falls back to 127.0.0.1."""
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        production_settings(monkeypatch, secrets.token_urlsafe(64), site_url=site_url)


def test_production_takes_site_url_from_the_environment(monkeypatch):
    values = production_settings(monkeypatch, secrets.token_urlsafe(64), site_url="https://schools-safety.london")
    assert values["SITE_URL"] == "https://schools-safety.london"


def test_production_security_settings(monkeypatch):
    values = production_settings(monkeypatch, secrets.token_urlsafe(64))
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert values["DEFAULT_EXCEPTION_REPORTER_FILTER"] == "core.errors.NoRequestBodyReporterFilter"


def test_production_serves_the_django_admin_only_when_turned_on(monkeypatch):
    monkeypatch.delenv("DJANGO_ADMIN_ENABLED", raising=False)
    assert production_settings(monkeypatch, secrets.token_urlsafe(64))["ADMIN_ENABLED"] is False
    monkeypatch.setenv("DJANGO_ADMIN_ENABLED", "true")
    assert production_settings(monkeypatch, secrets.token_urlsafe(64))["ADMIN_ENABLED"] is True


def test_argon2_is_the_first_hasher_and_works():
    base = importlib.import_module("schools_portal.settings.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()  # the test settings use a fast hasher; this checks the library is installed
    encoded = make_password("correct horse battery staple", hasher=hasher)
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("correct horse battery staple", encoded)
    assert not hasher.verify("wrong", encoded)


# Error reports ------------------------------------------------------------------------------------------------------


def failing_request():
    request = RequestFactory().post(
        "/stepping-stones/referrals/new?upn=" + UPN,
        {"upn": UPN, "first_name": "Zebedee", "password": "hunter2hunter2"},
        HTTP_COOKIE=f"sessionid=session-secret-value; csrftoken=csrf-secret-value; pupil={UPN}",
        HTTP_REFERER=f"https://portal.example.org/search?q={UPN}",
    )
    request.COOKIES  # noqa: B018 - parse the cookie header
    return request


def raise_with_pupil_data_in_locals():
    pupil = {"upn": UPN, "first_name": "Zebedee"}  # noqa: F841 - a local variable an error report would show
    raise ValueError("could not save the referral")


def test_the_project_uses_the_filter():
    assert isinstance(get_exception_reporter_filter(failing_request()), NoRequestBodyReporterFilter)


def test_filter_hides_post_values_cookies_and_query_headers():
    request = failing_request()
    report_filter = NoRequestBodyReporterFilter()
    post = report_filter.get_post_parameters(request)
    assert set(post) == {"upn", "first_name", "password"}
    assert set(post.values()) == {report_filter.cleansed_substitute}
    assert set(report_filter.get_safe_cookies(request).values()) == {report_filter.cleansed_substitute}
    meta = report_filter.get_safe_request_meta(request)
    assert meta["REQUEST_METHOD"] == "POST"
    assert UPN not in json.dumps(meta, default=str)


@pytest.mark.parametrize("reporter_class", [NoRequestDataExceptionReporter, None])
def test_error_report_text_and_html_carry_no_request_data(reporter_class):
    from django.views.debug import ExceptionReporter

    request = failing_request()
    try:
        raise_with_pupil_data_in_locals()
    except ValueError:
        exc_info = sys.exc_info()
    reporter = (reporter_class or ExceptionReporter)(request, *exc_info, is_email=True)
    text = reporter.get_traceback_text()
    html = reporter.get_traceback_html()
    assert "could not save the referral" in text
    assert "upn" in text  # the field is named, its value is not
    for report in (text, html):
        assert "session-secret-value" not in report
        assert "hunter2hunter2" not in report
        assert "Zebedee" not in report
        if reporter_class is not None:
            assert UPN not in report
    if reporter_class is None:
        # Django's own reporter still shows the query string: the project should use NoRequestDataExceptionReporter.
        assert UPN in text


# CSP and request ids ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csp_header_has_a_nonce_and_the_inline_script_carries_it(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert len(nonce) >= 16
    assert "script-src 'self' 'nonce-" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline, "the page has an inline script (GOV.UK's js-enabled)"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    # A new nonce for every response.
    assert nonce not in client.get("/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_request_id_is_set_on_every_response(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["short", "has spaces in it", "<script>alert(1)</script>", "x" * 65, "line\\nbreak-123", UPN + " ;"]
)
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


# Log lines ----------------------------------------------------------------------------------------------------------


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def json_log_lines():
    """The JSON lines the request and error loggers write, whatever the test settings' levels."""
    handler = ListHandler()
    loggers = [logging.getLogger(name) for name in ("portal.request", "django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield handler.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_log_lines_carry_the_route_not_the_raw_path(json_log_lines):
    client = Client(raise_request_exception=False)
    client.get("/core-test/schools/123456", HTTP_X_REQUEST_ID="trace-0000-0001")
    client.get("/core-test/broken/654321?upn=" + UPN, HTTP_X_REQUEST_ID="trace-0000-0002")
    client.get("/core-test/nothing-here/777777")

    records = [json.loads(line) for line in json_log_lines]
    text = "\n".join(json_log_lines)
    for raw in ("123456", "654321", "777777", UPN):
        assert raw not in text
    request_lines = [record for record in records if record["logger"] == "portal.request"]
    assert {(line["route"], line["status"], line["request_id"]) for line in request_lines} >= {
        ("core-test/schools/<str:urn>", 404, "trace-0000-0001"),
        ("core-test/broken/<str:urn>", 500, "trace-0000-0002"),
    }
    errors = [record for record in records if record["logger"] == "django.request" and record["level"] == "ERROR"]
    assert errors and errors[0]["message"] == "Internal Server Error: core-test/broken/<str:urn>"
    assert "RuntimeError: the database fell over" in errors[0]["exception"]
    assert errors[0]["status_code"] == 500
    assert "request" not in errors[0]
    not_found = [record for record in records if record["message"].startswith("Not Found")]
    assert {record["message"] for record in not_found} == {
        "Not Found: core-test/schools/<str:urn>",
        "Not Found: [unmatched path]",
    }
