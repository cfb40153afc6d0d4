#!/usr/bin/env bash
# The API as a contract, against the running smoke server (called by .ci/smoke.sh through SMOKE_AFTER, with
# SMOKE_BASE): the published schema validates (openapi-spec-validator, JSON and YAML); a client generated from it by
# openapi-python-client, in a virtual environment of its own, imports every operation; a journey through that client
# (.ci/api_client_journey.py) passes. Tokens are made through the service, as .ci/schemathesis.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK="$(mktemp -d /tmp/portal-client.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
t0=$(date +%s)
for format in json yaml; do
  curl -fsS -H 'X-Forwarded-Proto: https' "$SMOKE_BASE/api/schema/?format=$format" -o "$WORK/schema.$format"
done
$PY - "$WORK" <<'PYEOF'
import json, sys, yaml
from openapi_spec_validator import validate
work = sys.argv[1]
for name, load in (("schema.json", json.load), ("schema.yaml", yaml.safe_load)):
    with open(f"{work}/{name}") as f:
        validate(load(f))
    print(f"  {name}: valid OpenAPI")
PYEOF

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==0.29.*" 2> /dev/null
(cd "$WORK" && "$WORK/venv/bin/openapi-python-client" generate --path schema.json --meta none \
  --output-path "$WORK/portal_client" > generate.log 2>&1) || { cat "$WORK/generate.log"; exit 1; }
# Every warning but the absent formatter (ruff is not installed in this environment) is a piece of the schema the
# generator could not turn into code.
if grep -v -e '^$' -e 'ruff is not in PATH' -e 'Skipping Integration' -e '^Generating ' \
     -e 'Warning(s) encountered' -e 'If you believe this was a mistake' "$WORK/generate.log" | grep -q .; then
  echo "openapi-python-client could not generate every part of the client:"; cat "$WORK/generate.log"; exit 1
fi
operations="$($PY -c 'import json,sys; p=json.load(open(sys.argv[1]))["paths"]; print(sum(len([m for m in v if m in ("get","post","put","patch","delete")]) for v in p.values()))' "$WORK/schema.json")"
(cd "$WORK" && PYTHONPATH="$WORK" "$WORK/venv/bin/python" - "$operations" <<'PYEOF'
import importlib, pkgutil, sys
import portal_client.api as api
modules = [m.name for m in pkgutil.walk_packages(api.__path__, "portal_client.api.") if not m.ispkg]
imported = [name for name in modules if hasattr(importlib.import_module(name), "sync_detailed")]
expected = int(sys.argv[1])
print(f"  generated client: {len(imported)} of {expected} operations import")
sys.exit(0 if len(imported) == expected else 1)
PYEOF
)

tokens="$($PY manage.py shell -v0 -c '
import runpy, time
from accounts.identity.services import api_token_create
from core.errors import DomainError
from accounts.models import User
totp = runpy.run_path(".ci/smoke.py", run_name="smoke_lib")["totp"]
for role, email in (("ADMIN", "programme-admin"), ("HEAD", "headteacher"), ("ALLOCATOR", "police-allocator"),
                    ("COORDINATOR", "stepping-stones-coordinator")):
    user = User.objects.get(email=f"{email}@demo.schools-safety.london")
    for attempt in range(3):  # a code computed at the end of its 30 s window may be checked in the next one
        try:
            issued = api_token_create(user=user, name="generated client", password="demo-password-2026",
                                      otp_code=totp("JBSWY3DPEHPK3PXP"))
            break
        except DomainError:
            if attempt == 2:
                raise
            time.sleep(30 - time.time() % 30 + 1)
    print(f"TOKEN_{role}={issued.plaintext}")')"
env $tokens CLIENT_BASE="$SMOKE_BASE" CLIENT_URN="$SMOKE_URN" PYTHONPATH="$WORK" \
  "$WORK/venv/bin/python" .ci/api_client_journey.py
echo "  api client check: $(( $(date +%s) - t0 ))s"
