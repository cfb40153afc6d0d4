#!/usr/bin/env bash
# Load over HTTP on PostgreSQL: gunicorn with deploy/gunicorn.conf.py and 2 sync workers (production settings with
# the benchmark URLs and the API throttles never refusing: bench/settings_load.py), Redis for sessions and cache, wrk on
# loopback with BENCH_CONNECTIONS (100) connections for BENCH_DURATION (30s) per endpoint, signed in as the
# benchmark programme admin where the endpoint needs it; a request counts as an error after BENCH_TIMEOUT (120s: with
# 100 connections on 2 workers most of a request's time is the queue). Prints requests/s, p50/p95/p99 and errors.
#
#   bench/generate_national.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench   # once
#   bench/bench_load.sh [DATABASE_URL]
#
# Every process started here is stopped on exit. Needs wrk (apt-get install wrk) and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB="${1:-postgres://postgres@127.0.0.1:5432/portal_bench}"
CONNECTIONS="${BENCH_CONNECTIONS:-100}"
DURATION="${BENCH_DURATION:-30s}"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="${BENCH_PORT:-$(free_port)}"  # BENCH_PORT / BENCH_REDIS_PORT: ports of your own on a shared machine
REDIS_PORT="${BENCH_REDIS_PORT:-$(free_port)}"
WORK="$(mktemp -d /tmp/portal-load.XXXXXX)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap stop EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 20); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.25; done

export DATABASE_URL="$DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DJANGO_SETTINGS_MODULE=bench.settings_load
export DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1"
export SITE_URL="${SITE_URL:-https://127.0.0.1}"
export MEDIA_ROOT="$WORK/media"
export GUNICORN_LOG_LEVEL=warning
$PY manage.py collectstatic --noinput -v0

GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS=2 \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py schools_portal.wsgi > "$WORK/gunicorn.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 120); do
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "gunicorn exited"; cat "$WORK/gunicorn.log"; exit 1; }
  curl -fs -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.25
done

# A signed-in session for the benchmark admin, stored where the workers read sessions (the cache, Redis).
COOKIE="$($PY - <<'EOF'
import django
django.setup()
from importlib import import_module
from django.conf import settings
from accounts.models import User
user = User.objects.get(email="bench-admin@bench.invalid")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
# As a sign-in with a password and a two-factor code leaves it (accounts.identity.mfa.session_passed_two_factor).
import time
session["account_authentication_methods"] = [{"method": "password", "at": time.time()}, {"method": "mfa", "at": time.time(), "type": "totp"}]
session["account_authentication_methods_user"] = str(user.pk)
session.save()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
EOF
)"

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gunicorn: 2 sync workers (deploy/gunicorn.conf.py), PostgreSQL $DB, Redis sessions; wrk -t2 -c$CONNECTIONS -d$DURATION"
echo
echo "| endpoint | signed in | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | load after |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run() {
  local name="$1" path="$2" cookie="$3"
  local line status
  status="$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' ${cookie:+-H "Cookie: $cookie"} \
    "http://127.0.0.1:$PORT$path")"
  if [ "$status" != 200 ]; then
    echo "| $name \`$path\` | $([ -n "$cookie" ] && echo admin || echo no) | HTTP $status on a single request: skipped |"
    tail -n 20 "$WORK/gunicorn.log"
    return
  fi
  line="$(BENCH_COOKIE="$cookie" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout "${BENCH_TIMEOUT:-120s}" -s bench/load.lua \
    -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT$path" | grep '^RESULT')"
  # shellcheck disable=SC2086
  local $(echo "${line#RESULT }")
  echo "| $name \`$path\` | $([ -n "$cookie" ] && echo admin || echo no) | $requests | $rps | $p50_ms | $p95_ms | $p99_ms | $max_ms | $errors | $(cut -d' ' -f1 /proc/loadavg) |"
}
ENDPOINTS="${BENCH_ENDPOINTS:-health schools-api wands-api wands-floor toolkit-api schools-page wands-queue toolkit-page}"
for endpoint in $ENDPOINTS; do
  case "$endpoint" in
    health) run "health check" /healthz "" ;;
    schools-api) run "schools API" /api/v1/schools/ "" ;;
    wands-api) run "wand requests API" /api/v1/wands/requests/ "$COOKIE" ;;
    wands-floor) run "wand requests floor (.values + JsonResponse)" /bench/floor/wand-requests/ "$COOKIE" ;;
    toolkit-api) run "toolkit resources API" /api/v1/toolkit/resources/ "" ;;
    schools-page) run "Find a school (HTML)" /schools/ "" ;;
    wands-queue) run "wand queue (HTML)" /wands/queue/ "$COOKIE" ;;
    toolkit-page) run "toolkit catalogue (HTML)" /toolkit/ "" ;;
    # What every signed-in page pays (issue 22: signed in >= 0.67x the anonymous req/s): the same bare page.
    floor-anonymous) run "bare page (HTML), anonymous" /bench/floor/page/ "" ;;
    floor-signed-in) run "bare page (HTML), signed in" /bench/floor/page/ "$COOKIE" ;;
  esac
done
if grep -q '"level": "ERROR"\|Traceback' "$WORK/gunicorn.log"; then
  echo; echo "gunicorn logged errors:"; grep -m5 '"level": "ERROR"\|Traceback' "$WORK/gunicorn.log"
fi
