"""The `curl` examples of docs/api.md work as written: every ```sh test block runs, in order in one shell, against a
live server with a toolkit editor's API token ($BASE, $TOKEN), and its output holds each `# expect:` line."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from accounts.identity.services import api_token_create
from education_toolkit.models import SearchSynonym
from tests.accounts.factories import TEST_PASSWORD
from tests.accounts.test_identity_support import give_totp, totp_code
from tests.education_toolkit.factories import toolkit_editor

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
BLOCK = re.compile(r"^```sh test\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARK = "@@@ block"


def doc_blocks() -> list[tuple[str, list[str]]]:
    blocks = []
    for body in BLOCK.findall(DOC.read_text()):
        expects = [line.split("# expect:", 1)[1].strip() for line in body.splitlines() if "# expect:" in line]
        blocks.append((body, expects))
    return blocks


def test_the_doc_has_tested_examples_for_each_section():
    text = DOC.read_text()
    blocks = doc_blocks()
    assert len(blocks) >= 4
    assert all(expects for _, expects in blocks), "a tested example without an `# expect:` line checks nothing"
    for section in ("## Errors", "## Safe retries", "## Concurrency", "## Rate limits"):
        start = text.index(section)
        end = text.find("\n## ", start + 1)
        assert "```sh test" in text[start:end], section


def test_every_code_is_documented():
    from core.api.problems import CODES

    text = DOC.read_text()
    missing = [code for code in CODES if f"| `{code}` |" not in text]
    assert not missing


@pytest.mark.django_db(transaction=True)
def test_the_curl_examples_run_as_documented(live_server):
    assert shutil.which("curl"), "the examples need curl"
    editor = toolkit_editor()
    secret = give_totp(editor)
    token = api_token_create(user=editor, name="docs", password=TEST_PASSWORD, otp_code=totp_code(secret)).plaintext
    SearchSynonym.objects.create(term="blade", alternatives="knife")
    blocks = doc_blocks()
    script = "set -euo pipefail\n" + "".join(
        f"printf '\\n{MARK} {i}\\n'\n{body}\n" for i, (body, _) in enumerate(blocks)
    )
    result = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "BASE": live_server.url, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    outputs = re.split(rf"\n{MARK} \d+\n", result.stdout)[1:]
    assert len(outputs) == len(blocks)
    for (body, expects), output in zip(blocks, outputs, strict=True):
        for expected in expects:
            assert expected.lower() in output.lower(), f"{expected!r} not in the output of:\n{body}\n---\n{output}"
