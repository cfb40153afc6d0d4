"""The list pages show the same thing after their templates were made cheaper: each page of
`tests/bench/render_pages.py`, rendered on a tiny generated database (fixed seed, fixed epoch, fixed "today"), matches
the snapshot saved from the templates before the change (title, back link and main element; CSRF tokens and CSP
nonces removed, whitespace collapsed).

A page that changes on purpose gets a new snapshot: `UPDATE_RENDERING_SNAPSHOTS=1 .venv/bin/pytest
tests/bench/test_same_rendering_templates.py`, and the diff of tests/bench/snapshots/templates/ is reviewed like code.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.render_pages import PAGES

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "templates"


def run(*args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rendering') / 'bench.sqlite3'}"
    run("bench/generate_national.py", "--database-url", url, "--scale", "0.002")
    pages = json.loads(run("-m", "tests.bench.render_pages", "--database-url", url))
    if os.environ.get("UPDATE_RENDERING_SNAPSHOTS"):
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        for name, html in pages.items():
            (SNAPSHOTS / f"{name}.html").write_text(html)
    return pages


@pytest.mark.parametrize("name", [name for name, _, _ in PAGES])
def test_page_renders_as_before(rendered, name):
    expected = (SNAPSHOTS / f"{name}.html").read_text()
    assert rendered[name] == expected, f"{name} differs from tests/bench/snapshots/templates/{name}.html"


def test_snapshots_have_what_the_lists_show():
    """The snapshots are of real lists (rows, links, tags, pagination), not of empty or error pages."""
    schools = (SNAPSHOTS / "schools.html").read_text()
    assert schools.count('href="/schools/1') >= 20 and "govuk-tag" in schools
    assert (SNAPSHOTS / "wands-queue.html").read_text().count('<tr class="govuk-table__row">') == 26
    assert "govuk-pagination" in (SNAPSHOTS / "referrals.html").read_text()
    toolkit = (SNAPSHOTS / "toolkit.html").read_text()
    assert "govuk-tag--purple" in toolkit and "Updated" in toolkit and 'id="pick-' in toolkit
    assert "There is a problem" in (SNAPSHOTS / "schools-bad-filter.html").read_text()
    assert "Reason: Stock arrived" in (SNAPSHOTS / "audit.html").read_text()
    assert "Days waiting" in (SNAPSHOTS / "officers-queue.html").read_text()
