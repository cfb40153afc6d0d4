#!/usr/bin/env bash
# Production smoke test: a fresh PostgreSQL database, Redis, gunicorn (2 sync workers, production settings) and one
# portal_worker on loopback; .ci/smoke.py drives a journey over HTTP. Every process started here is stopped on exit.
# Leaves the server up for the caller when SMOKE_KEEP_SERVER=1 (the caller then runs `smoke_stop`); see .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# A free loopback port (other servers, e.g. test live servers, may hold a fixed one).
SMOKE_PORT="${SMOKE_PORT:-$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
SMOKE_DB="${SMOKE_DB:-portal_smoke}"
REDIS_PORT="${SMOKE_REDIS_PORT:-6379}"
WORK="$(mktemp -d /tmp/portal-smoke.XXXXXX)"
T0=$(date +%s.%N)
pids=()
lap() { printf '  %-44s %6.1fs\n' "$1" "$(echo "$(date +%s.%N) - $2" | bc)"; }

smoke_stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
}
on_exit() {
  status=$?
  smoke_stop
  if [ "$status" -ne 0 ]; then
    echo "-- smoke test failed; last lines of the logs:"
    grep -h '"level": "ERROR"' "$WORK"/gunicorn.log 2>/dev/null | tail -n 5 || true
    tail -n 10 "$WORK"/gunicorn.log "$WORK"/worker.log 2>/dev/null || true
    rm -rf /tmp/portal-smoke-last && cp -r "$WORK" /tmp/portal-smoke-last && echo "-- logs kept in /tmp/portal-smoke-last"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap on_exit EXIT

# Services ----------------------------------------------------------------------------------------------------------
t=$(date +%s.%N)
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1; then
  # Started here, not stopped afterwards only if it was already running before: note it so we stop ours.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$WORK/redis.pid" > /dev/null
  for _ in $(seq 1 20); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.25; done
  pids+=("$(cat "$WORK/redis.pid")")
fi
runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS $SMOKE_DB WITH (FORCE)"
runuser -u postgres -- psql -qc "CREATE DATABASE $SMOKE_DB OWNER portal"
lap "PostgreSQL and Redis up, fresh $SMOKE_DB" "$t"

export DATABASE_URL="postgres://portal:portal@127.0.0.1:5432/$SMOKE_DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/7"
export CACHE_KEY_PREFIX="smoke-$$"
export MEDIA_ROOT="$WORK/media"
export DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1"
export SITE_URL="https://127.0.0.1:$SMOKE_PORT"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
mkdir -p "$WORK/worker-mail" "$WORK/web-mail" "$MEDIA_ROOT"

# Database: migrate and collectstatic under production settings; demo data under the local (DEBUG) settings -------
t=$(date +%s.%N)
DJANGO_SETTINGS_MODULE=schools_portal.settings.production $PY manage.py migrate --noinput -v0
lap "migrate (production settings)" "$t"
t=$(date +%s.%N)
DJANGO_SETTINGS_MODULE=schools_portal.settings.production $PY manage.py collectstatic --noinput -v0
lap "collectstatic" "$t"
t=$(date +%s.%N)
DJANGO_SETTINGS_MODULE=schools_portal.settings.local EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
  $PY manage.py seed_demo --schools 400 > "$WORK/seed.log" 2>&1
URN="$(DJANGO_SETTINGS_MODULE=schools_portal.settings.local $PY manage.py shell -v0 \
  -c 'from accounts.demo import demo_school; print(demo_school().urn)')"
lap "seed_demo (school $URN)" "$t"

# Processes -----------------------------------------------------------------------------------------------------------
t=$(date +%s.%N)
export DJANGO_SETTINGS_MODULE=schools_portal.settings.production
# The web process writes mail (if it ever did) to web-mail; the worker to worker-mail: where the invitation lands shows
# which process sent it.
EMAIL_FILE_PATH="$WORK/web-mail" GUNICORN_BIND="127.0.0.1:$SMOKE_PORT" GUNICORN_WORKERS=2 \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py schools_portal.wsgi > "$WORK/gunicorn.log" 2>&1 &
pids+=("$!")
EMAIL_FILE_PATH="$WORK/worker-mail" $PY manage.py portal_worker --worker-id smoke-worker --interval 0.2 --no-reload \
  > "$WORK/worker.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 120); do
  kill -0 "${pids[-2]}" 2>/dev/null || { echo "gunicorn exited"; exit 1; }
  curl -fs -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$SMOKE_PORT/healthz" > /dev/null && break
  sleep 0.25
done
curl -fs -o /dev/null -D - -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$SMOKE_PORT/healthz" | grep -qi '^server: gunicorn' \
  || { echo "port $SMOKE_PORT does not answer as gunicorn"; exit 1; }
lap "gunicorn (2 sync workers) and portal_worker ready" "$t"

# Journey -------------------------------------------------------------------------------------------------------------
t=$(date +%s.%N)
INVITE="smoke-staff-$$@example.org"
SMOKE_BASE="http://127.0.0.1:$SMOKE_PORT" SMOKE_URN="$URN" SMOKE_TOTP_SECRET=JBSWY3DPEHPK3PXP \
SMOKE_PASSWORD=demo-password-2026 SMOKE_HEAD_EMAIL=headteacher@demo.schools-safety.london \
SMOKE_INVITE_EMAIL="$INVITE" SMOKE_WORKER_MAIL_DIR="$WORK/worker-mail" SMOKE_WEB_MAIL_DIR="$WORK/web-mail" \
SMOKE_WORKER_LOG="$WORK/worker.log" \
  $PY .ci/smoke.py
# The task result row: finished successfully, by the worker (its id), not by the web process.
row="$(runuser -u postgres -- psql -d "$SMOKE_DB" -tAc \
  "SELECT status || ' ' || worker_ids::text FROM django_tasks_database_dbtaskresult
   WHERE task_path = 'core.tasks.email_deliver' AND args_kwargs::text LIKE '%$INVITE%'")"
echo "  task result row: $row"
[ "$row" = 'SUCCESSFUL ["smoke-worker"]' ] || { echo "unexpected task result row: $row"; exit 1; }
grep -q '"request_id"' "$WORK/gunicorn.log" || true
lap "journey over HTTP" "$t"

if [ -n "${SMOKE_AFTER:-}" ]; then
  # Another check against the same running server (e.g. schemathesis from .ci/run).
  t=$(date +%s.%N)
  SMOKE_BASE="http://127.0.0.1:$SMOKE_PORT" SMOKE_URN="$URN" bash -c "$SMOKE_AFTER"
  lap "after-smoke check" "$t"
fi
printf '  %-44s %6.1fs\n' "smoke test total" "$(echo "$(date +%s.%N) - $T0" | bc)"
