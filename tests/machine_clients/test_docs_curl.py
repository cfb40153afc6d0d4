"""The curl walk-through in docs/api.md works as written, against a running portal."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from machine_clients.services import machine_client_register
from schools.models import BasicCommandUnit, LocalAuthority
from schools.reference_data import load_reference_data
from tests.accounts.factories import SchoolFactory, programme_admin

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"

pytestmark = pytest.mark.django_db(transaction=True)


def _walkthrough() -> str:
    section = DOC.read_text().split("## Systems: OAuth 2.0 client credentials", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


def test_the_documented_curl_commands_get_a_token_and_read(live_server):
    load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
    school = SchoolFactory(local_authority=LocalAuthority.objects.get(code=202), name="Camden Community Academy")
    registered = machine_client_register(
        actor=programme_admin(),
        name="Camden nightly import",
        local_authority_code=202,
        scopes=["register:read", "borough:read"],
        days=90,
    )
    env = {
        **os.environ,
        "PORTAL": live_server.url,
        "CLIENT_ID": registered.client.client_id,
        "CLIENT_SECRET": registered.client_secret,
    }
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _walkthrough()], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    borough, schools = (json.loads(line) for line in result.stdout.replace("}{", "}\n{").splitlines())
    assert borough["la_code"] == 202 and [row["urn"] for row in borough["schools"]] == [school.urn]
    assert [row["urn"] for row in schools["results"]] == [school.urn]
