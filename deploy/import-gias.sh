#!/usr/bin/env bash
# The nightly refresh of the school register: `manage.py gias_refresh` reads today's GIAS establishment extract and
# links file (yesterday's if today's is not out yet) from GIAS_EXTRACT_SOURCE / GIAS_LINKS_SOURCE (paths or https://
# addresses; see docs/operations.md). Changes and openings apply; closures and successions wait for review at
# /schools/changes/; a refresh that would close too many schools applies nothing (exit status 2) and alerts the admins.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DJANGO_SETTINGS_MODULE:-}" ] && [ -r "${PORTAL_ENV_FILE:-/etc/portal/portal.env}" ]; then set -a; . "${PORTAL_ENV_FILE:-/etc/portal/portal.env}"; set +a; fi
exec .venv/bin/python manage.py gias_refresh "$@"
