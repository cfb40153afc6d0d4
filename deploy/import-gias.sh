#!/usr/bin/env bash
# Download today's GIAS "all establishment data" extract and import it (London schools; schools no longer listed are
# marked closed). GIAS publishes the file each morning under the date; if today's is not there yet, yesterday's is used.
# GIAS_URL_TEMPLATE overrides the address (strftime placeholders), e.g. for a mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DJANGO_SETTINGS_MODULE:-}" ] && [ -r "${PORTAL_ENV_FILE:-/etc/portal/portal.env}" ]; then set -a; . "${PORTAL_ENV_FILE:-/etc/portal/portal.env}"; set +a; fi
template="${GIAS_URL_TEMPLATE:-https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata%Y%m%d.csv}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
for day in today yesterday; do
  url="$(date -d "$day" +"$template")"
  if curl --fail --silent --show-error --location --max-time 600 -o "$workdir/gias.csv" "$url"; then
    exec .venv/bin/python manage.py import_gias --full-extract "$workdir/gias.csv"
  fi
  echo "GIAS extract not available at $url" >&2
done
exit 1
