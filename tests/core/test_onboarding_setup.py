"""Setting up and trying the portal: the Beta banner's feedback link, `make run`'s quiet demo summary, SITE_URL from
HOST in the Makefile."""

import logging
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_the_beta_banner_links_to_feedback_from_settings(client, settings):
    settings.FEEDBACK_URL = "https://forms.example.org/portal-feedback"
    html = client.get("/").content.decode()
    banner = html.split('class="govuk-phase-banner"')[1].split("</div>")[0]
    assert 'href="https://forms.example.org/portal-feedback"' in banner and ">feedback</a>" in banner


@pytest.mark.django_db
def test_the_default_feedback_link_is_the_portals_feedback_page(client, settings):
    settings.FEEDBACK_EMAIL = "tell-us@example.org"
    html = client.get("/").content.decode()
    assert '<a class="govuk-link" href="/feedback">feedback</a>' in html
    page = client.get("/feedback")
    assert page.status_code == 200 and 'href="mailto:tell-us@example.org"' in page.content.decode()


def _fake_step(emails: int):
    def seed(*, stdout, options):
        email_logger = logging.getLogger("portal.email")
        for _ in range(emails):
            email_logger.info("email scheduled", extra={"template": "demo", "recipients": 1})
        email_logger.warning("email could not be queued")
        stdout.write("  demo thing: 3 things")

    return [(1, "things", SimpleNamespace(seed=seed))]


def test_seed_demo_prints_a_summary_not_a_line_per_email(monkeypatch, settings, capsys, caplog):
    settings.DEBUG = True
    monkeypatch.setattr("core.management.commands.seed_demo.collect_demo_steps", lambda: _fake_step(250))
    with caplog.at_level(logging.INFO, logger="portal.email"):
        call_command("seed_demo")
        # Outside seeding, emails log as before.
        logging.getLogger("portal.email").info("email scheduled")
    out = capsys.readouterr().out
    assert "  demo thing: 3 things" in out
    assert "250 demo emails queued: `make worker`" in out
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("email scheduled") == 1  # only the one logged after seeding
    assert "email could not be queued" in messages  # warnings still show


@pytest.mark.parametrize(
    ("target", "command"), [("run", "runserver 127.0.0.1:8001"), ("worker", "portal_worker")]
)  # the worker that backs off and reclaims
def test_make_sets_site_url_from_host(target, command):
    dry_run = subprocess.run(
        ["make", "-n", target, "HOST=127.0.0.1:8001"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    ).stdout
    line = next(line for line in dry_run.splitlines() if command in line)
    assert line.startswith("SITE_URL=http://127.0.0.1:8001 ")
