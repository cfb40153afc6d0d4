"""The scheduled jobs in deploy/ name management commands that exist, and the timers and the crontab agree."""

import re
from pathlib import Path

from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _timer_commands() -> set[str]:
    commands = set()
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        match = re.search(r"^Unit=portal-job@(\S+)\.service$", timer.read_text(), re.MULTILINE)
        if match:
            commands.add(match.group(1))
    return commands


def _crontab_commands() -> set[str]:
    lines = (DEPLOY / "crontab.example").read_text().splitlines()
    jobs = "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return set(re.findall(r"run-job\.sh (\w+)", jobs))


def test_every_scheduled_job_is_a_management_command():
    known = set(get_commands())
    scheduled = _timer_commands() | _crontab_commands()
    assert "stepping_stones_retention" in scheduled
    assert not scheduled - known, f"scheduled jobs with no management command: {sorted(scheduled - known)}"


def test_timers_and_crontab_schedule_the_same_jobs():
    assert _timer_commands() == _crontab_commands()
