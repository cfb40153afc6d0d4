#!/usr/bin/env bash
# Run one management command with the portal's environment (for cron): deploy/run-job.sh prune_task_results --days 30
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1091
. "${PORTAL_ENV_FILE:-/etc/portal/portal.env}"
set +a
exec .venv/bin/python manage.py "$@"
