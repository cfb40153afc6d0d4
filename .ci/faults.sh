#!/usr/bin/env bash
# Fault injection on the production stack (gunicorn with 2 sync workers, portal_worker, PostgreSQL, Redis) on
# loopback, with traffic flowing: Redis stopped for 10 s, the worker killed mid-queue and restarted, and PostgreSQL
# restarted (only with FAULTS_RESTART_POSTGRES=1: it restarts the machine's shared cluster, so CI only). Asserts no 500
# for anonymous pages while Redis is down, every queued email sent exactly once, people still signed in afterwards;
# prints a table. .ci/faults.py drives it. Uses its own Redis (FAULTS_REDIS_PORT, default 6390), never the shared one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
FAULTS_PORT="${FAULTS_PORT:-$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
FAULTS_DB="${FAULTS_DB:-portal_faults}"
FAULTS_REDIS_PORT="${FAULTS_REDIS_PORT:-6390}"
WORK="$(mktemp -d /tmp/portal-faults.XXXXXX)"
T0=$(date +%s.%N)
pids=()
lap() { printf '  %-44s %6.1fs\n' "$1" "$(echo "$(date +%s.%N) - $2" | bc)"; }

stop_all() {
  # The worker and Redis are restarted by faults.py: their current pids are in files.
  for file in "$WORK/worker.pid" "$WORK/redis.pid"; do
    [ -f "$file" ] && pids+=("$(cat "$file")")
  done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
}
on_exit() {
  status=$?
  stop_all
  if [ "$status" -ne 0 ]; then
    echo "-- fault test failed; last lines of the logs:"
    tail -n 10 "$WORK"/gunicorn.log "$WORK"/worker.log 2>/dev/null || true
    rm -rf /tmp/portal-faults-last && cp -r "$WORK" /tmp/portal-faults-last && echo "-- logs kept in /tmp/portal-faults-last"
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
if redis-cli -p "$FAULTS_REDIS_PORT" ping > /dev/null 2>&1; then
  echo "something already answers on port $FAULTS_REDIS_PORT: this test stops its Redis, so it needs its own port"
  exit 1
fi
mkdir -p "$WORK/redis"
redis-server --port "$FAULTS_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$WORK/redis" --pidfile "$WORK/redis.pid" > /dev/null
for _ in $(seq 1 20); do redis-cli -p "$FAULTS_REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.25; done
runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS $FAULTS_DB WITH (FORCE)"
runuser -u postgres -- psql -qc "CREATE DATABASE $FAULTS_DB OWNER portal"
lap "PostgreSQL, own Redis on $FAULTS_REDIS_PORT, fresh $FAULTS_DB" "$t"

export DATABASE_URL="postgres://portal:portal@127.0.0.1:5432/$FAULTS_DB"
export REDIS_URL="redis://127.0.0.1:$FAULTS_REDIS_PORT/0"
export CACHE_KEY_PREFIX="faults-$$"
export MEDIA_ROOT="$WORK/media"
export DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1"
export SITE_URL="https://127.0.0.1:$FAULTS_PORT"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
mkdir -p "$WORK/worker-mail" "$WORK/web-mail" "$MEDIA_ROOT"

t=$(date +%s.%N)
DJANGO_SETTINGS_MODULE=schools_portal.settings.production $PY manage.py migrate --noinput -v0
lap "migrate (production settings)" "$t"
t=$(date +%s.%N)
DJANGO_SETTINGS_MODULE=schools_portal.settings.production $PY manage.py collectstatic --noinput -v0
lap "collectstatic" "$t"
t=$(date +%s.%N)
# Only the demo steps this test needs (the register, the demo people with the headteacher's TOTP, the updates
# sign-up's topics): the programmes' demo data would double the time for nothing.
DJANGO_SETTINGS_MODULE=schools_portal.settings.local EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
  $PY manage.py shell -v0 -c '
import sys
from core.demo import collect_demo_steps
for _order, label, module in collect_demo_steps():
    if label in {"schools", "accounts", "public"}:
        module.seed(stdout=sys.stdout, options={"schools": 60, "force": True})
' > "$WORK/seed.log" 2>&1
URN="$(DJANGO_SETTINGS_MODULE=schools_portal.settings.local $PY manage.py shell -v0 \
  -c 'from accounts.demo import demo_school; print(demo_school().urn)')"
# The demo's own emails are not what this test counts: only the sign-ups' confirmations below.
runuser -u postgres -- psql -d "$FAULTS_DB" -qc "DELETE FROM django_tasks_database_dbtaskresult"
lap "demo data: register, people, topics (school $URN)" "$t"

t=$(date +%s.%N)
export DJANGO_SETTINGS_MODULE=schools_portal.settings.production
EMAIL_FILE_PATH="$WORK/web-mail" GUNICORN_BIND="127.0.0.1:$FAULTS_PORT" GUNICORN_WORKERS=2 \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py schools_portal.wsgi > "$WORK/gunicorn.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 120); do
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "gunicorn exited"; exit 1; }
  curl -fs -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$FAULTS_PORT/healthz" > /dev/null && break
  sleep 0.25
done
lap "gunicorn (2 sync workers) ready" "$t"

SMOKE_BASE="http://127.0.0.1:$FAULTS_PORT" FAULTS_URN="$URN" FAULTS_WORK="$WORK" \
FAULTS_REDIS_PORT="$FAULTS_REDIS_PORT" FAULTS_DB="$FAULTS_DB" \
SMOKE_TOTP_SECRET=JBSWY3DPEHPK3PXP SMOKE_PASSWORD=demo-password-2026 \
SMOKE_HEAD_EMAIL=headteacher@demo.schools-safety.london \
  $PY .ci/faults.py
printf '  %-44s %6.1fs\n' "fault test total" "$(echo "$(date +%s.%N) - $T0" | bc)"
