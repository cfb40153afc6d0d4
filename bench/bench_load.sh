#!/usr/bin/env bash
# Load over HTTP on PostgreSQL: gunicorn with deploy/gunicorn.conf.py and 2 sync workers (production settings with
# the benchmark URLs and the API throttles never refusing: bench/settings_load.py), Redis for sessions and cache, wrk on
# loopback with BENCH_CONNECTIONS (100) connections for BENCH_DURATION (30s) per endpoint, signed in as the
# benchmark programme admin where the endpoint needs it; a request counts as an error after BENCH_TIMEOUT (120s: with
# 100 connections on 2 workers most of a request's time is the queue). Prints requests/s, p50/p95/p99 and errors.
#
# `pages` (in the default BENCH_ENDPOINTS) is every HTML page of bench/bench_html.py's PAGES (every list page and the
# dashboards), each as the user bench_html.py renders it as, after the bare page (bench/floor.html: the service layout
# with an empty main) anonymous and signed in as each of those users; then a table of each page's req/s with its ratio
# against its own user's bare page (the anonymous pages against the anonymous bare page), and each signed-in bare page
# against the anonymous one (issue 22: >= 0.5x for a list page, >= 0.67x for the signed-in bare page). BENCH_PAGES=REGEX
# keeps the pages whose name matches (for example 'dashboard|figures|map'). Issue 22's table was `wrk -t2 -c16`: BENCH_CONNECTIONS=16.
#
#   bench/generate_national.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench   # once
#   bench/bench_load.sh [DATABASE_URL]
#   BENCH_CONNECTIONS=16 BENCH_DURATION=10s BENCH_ENDPOINTS=pages bench/bench_load.sh [DATABASE_URL]
#
# Ports: BENCH_PORT (gunicorn) and BENCH_REDIS_PORT; free ones when not given.
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

# Signed-in sessions for the benchmark users (bench/bench_html.py makes those the generator does not), stored where the
# workers read sessions (the cache, Redis), and the pages to load: tab-separated lines in $WORK/pages.tsv.
$PY - > "$WORK/pages.tsv" <<'EOF'
import django
django.setup()
import time
from importlib import import_module
from django.conf import settings
from accounts.models import User
from bench import bench_html

bench_html.ensure_users()
values = bench_html.placeholders()
for email in dict.fromkeys(user for _, user, _ in bench_html.PAGES if user):
    user = User.objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    # As a sign-in with a password and a two-factor code leaves it (accounts.identity.mfa.session_passed_two_factor).
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}, {"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    print(f"COOKIE\t{email}\t{settings.SESSION_COOKIE_NAME}={session.session_key}")
for name, email, url in bench_html.PAGES:
    print(f"PAGE\t{name}\t{email or '-'}\t{url.format(**values)}")
EOF
cookie_of() { [ "$1" = - ] || awk -F'\t' -v who="$1" '$1 == "COOKIE" && $2 == who {print $3}' "$WORK/pages.tsv"; }
who_of() { if [ "$1" = - ]; then echo anonymous; else local who="${1%%@*}"; echo "${who#bench-}"; fi; }
COOKIE="$(cookie_of bench-admin@bench.invalid)"

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gunicorn: 2 sync workers (deploy/gunicorn.conf.py), PostgreSQL $DB, Redis sessions; wrk -t2 -c$CONNECTIONS -d$DURATION"
echo
echo "| endpoint | signed in | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | load after |"
echo "|---|---|---|---|---|---|---|---|---|---|"
RPS=""
FIRST=""
# run NAME PATH COOKIE [WHO]: one row of the table; the endpoint's req/s is left in $RPS (empty when skipped), and the
# time of the single request made first (cold: nothing cached yet) in $FIRST.
run() {
  local name="$1" path="$2" cookie="$3" who="${4:-admin}"
  local line status seconds
  RPS=""
  [ -n "$cookie" ] || who=no
  settle
  read -r status seconds < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'X-Forwarded-Proto: https' \
    ${cookie:+-H "Cookie: $cookie"} "http://127.0.0.1:$PORT$path")
  FIRST="$(printf '%.2f' "$seconds")"
  if [ "$status" != 200 ]; then
    # (500 after about GUNICORN_TIMEOUT seconds: the worker was stopped mid-request, production's limit, 30 s)
    echo "| $name \`$path\` | $who | HTTP $status after ${seconds} s on a single request: skipped |"
    tail -n 20 "$WORK/gunicorn.log"
    return
  fi
  line="$(BENCH_COOKIE="$cookie" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout "${BENCH_TIMEOUT:-120s}" -s bench/load.lua \
    -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT$path" | grep '^RESULT')"
  # shellcheck disable=SC2086
  local $(echo "${line#RESULT }")
  RPS="$rps"
  echo "| $name \`$path\` | $who | $requests | $rps | $p50_ms | $p95_ms | $p99_ms | $max_ms | $errors | $(cut -d' ' -f1 /proc/loadavg) |"
}
# Wait until the workers are idle: the requests wrk left queued (it stops after BENCH_DURATION; the sync workers still
# answer every request already sent) would otherwise be in front of the next page's first request.
settle() {
  local seconds
  for _ in $(seq 1 600); do
    seconds="$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/healthz")"
    awk -v s="$seconds" 'BEGIN { exit !(s < 0.5) }' && return 0
    sleep 1
  done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "—"; else printf "**%.2fx**", a / b }'; }

# Every page of bench/bench_html.py against its user's bare page: wrk rows as they run, then a summary table.
pages() {
  local floor="/bench/floor/page/" summary="$WORK/summary.md" kind name who path
  declare -A bare=()
  : > "$summary"
  for who in - $(awk -F'\t' '$1 == "COOKIE" {print $2}' "$WORK/pages.tsv"); do
    BENCH_ACCEPT=text/html run "bare page" "$floor" "$(cookie_of "$who")" "$(who_of "$who")"
    bare[$who]="$RPS"
    if [ "$who" = - ]; then
      echo "| bare page \`$floor\` | anonymous | ${RPS:-skipped} | 1 | $FIRST |" >> "$summary"
    else
      echo "| bare page \`$floor\` | $(who_of "$who") | ${RPS:-skipped} | $(ratio "$RPS" "${bare[-]}") of the anonymous bare page | $FIRST |" >> "$summary"
    fi
  done
  while IFS=$'\t' read -r kind name who path; do
    [ "$kind" = PAGE ] || continue
    if [ -n "${BENCH_PAGES:-}" ] && ! [[ "${name,,}" =~ ${BENCH_PAGES,,} ]]; then continue; fi
    BENCH_ACCEPT=text/html run "$name" "$path" "$(cookie_of "$who")" "$(who_of "$who")"
    echo "| $name \`$path\` | $(who_of "$who") | ${RPS:-skipped} | $(ratio "$RPS" "${bare[$who]:-}") | $FIRST |" >> "$summary"
  done < "$WORK/pages.tsv"
  echo
  echo "Each page against its own user's bare page (anonymous pages against the anonymous bare page):"
  echo
  echo "| page | user | req/s | against its bare page | first request s |"
  echo "|---|---|---|---|---|"
  cat "$summary"
  echo
}

ENDPOINTS="${BENCH_ENDPOINTS:-health schools-api wands-api wands-floor toolkit-api pages}"
for endpoint in $ENDPOINTS; do
  case "$endpoint" in
    health) run "health check" /healthz "" ;;
    schools-api) run "schools API" /api/v1/schools/ "" ;;
    wands-api) run "wand requests API" /api/v1/wands/requests/ "$COOKIE" ;;
    wands-floor) run "wand requests floor (.values + JsonResponse)" /bench/floor/wand-requests/ "$COOKIE" ;;
    toolkit-api) run "toolkit resources API" /api/v1/toolkit/resources/ "" ;;
    pages) pages ;;
    schools-page) BENCH_ACCEPT=text/html run "Find a school (HTML)" /schools/ "" ;;
    wands-queue) BENCH_ACCEPT=text/html run "wand queue (HTML)" /wands/queue/ "$COOKIE" ;;
    toolkit-page) BENCH_ACCEPT=text/html run "toolkit catalogue (HTML)" /toolkit/ "" ;;
    # What every signed-in page pays (issue 22: signed in >= 0.67x the anonymous req/s): the same bare page.
    floor-anonymous) BENCH_ACCEPT=text/html run "bare page (HTML), anonymous" /bench/floor/page/ "" ;;
    floor-signed-in) BENCH_ACCEPT=text/html run "bare page (HTML), signed in" /bench/floor/page/ "$COOKIE" ;;
    *) echo "unknown endpoint: $endpoint"; exit 2 ;;
  esac
done
if grep -q '"level": "ERROR"\|Traceback' "$WORK/gunicorn.log"; then
  echo; echo "gunicorn logged errors:"; grep -m5 '"level": "ERROR"\|Traceback' "$WORK/gunicorn.log"
fi
