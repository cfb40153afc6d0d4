"""Fault injection against the production stack on loopback (driven by .ci/faults.sh), with traffic flowing.

Phases: baseline; Redis stopped for 10 s (its own redis-server on FAULTS_REDIS_PORT, never the shared one); Redis back
(empty, as after a restart); VRU sign-ups queue 40 emails while the worker is killed (SIGKILL) mid-task and restarted
three times; PostgreSQL restarted (only with FAULTS_RESTART_POSTGRES=1). Asserts: no 500 for anonymous pages while Redis
is down, nobody signed out, every queued email sent exactly once, the worker survives the PostgreSQL restart; prints a
table of what it saw.

Environment: SMOKE_BASE, FAULTS_URN, FAULTS_WORK, FAULTS_REDIS_PORT, FAULTS_DB, SMOKE_TOTP_SECRET, SMOKE_PASSWORD,
SMOKE_HEAD_EMAIL; FAULTS_RESTART_POSTGRES=1 to restart PostgreSQL.
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import smoke  # noqa: E402 - the smoke journey's loopback browser and TOTP

BASE = smoke.BASE
WORK = Path(os.environ["FAULTS_WORK"])
URN = os.environ["FAULTS_URN"]
REDIS_PORT = os.environ["FAULTS_REDIS_PORT"]
DB = os.environ["FAULTS_DB"]
RESTART_POSTGRES = os.environ.get("FAULTS_RESTART_POSTGRES") == "1"
PY = ".venv/bin/python"
WORKER_ID = "faults-worker"
EMAILS = 40
SIGNUP_CLIENTS = 4  # people signing up at the same time
WORKER_KILLS = 3
ANONYMOUS_PATHS = ["/", "/schools/", "/api/v1/schools/", "/api/v1/schools/?page=2", "/updates/sign-up"]
SIGNED_IN_PATHS = ["/account/", f"/schools/{URN}/"]


# --- what the traffic saw -------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "baseline"
        self.order = ["baseline"]
        self.started = {"baseline": time.monotonic()}
        self.ended = {}
        self.rows: list[tuple[str, str, str, float]] = []  # (phase, who, outcome, ms)

    def begin(self, phase: str) -> None:
        with self.lock:
            self.ended[self.phase] = time.monotonic()
            self.phase = phase
            self.order.append(phase)
            self.started[phase] = time.monotonic()
        print(f"  -- {phase}", flush=True)

    def add(self, who: str, outcome: str, ms: float) -> None:
        with self.lock:
            self.rows.append((self.phase, who, outcome, ms))

    def outcomes(self, phase: str, who: str) -> Counter:
        with self.lock:
            return Counter(outcome for p, w, outcome, _ in self.rows if p == phase and w == who)

    def table(self) -> str:
        self.ended.setdefault(self.phase, time.monotonic())
        header = ("phase", "s", "who", "requests", "ok", "429", "503", "500", "signed out", "failed", "p95 ms")
        lines = [header]
        for phase in self.order:
            for who in ("anonymous", "signed in"):
                rows = [(outcome, ms) for p, w, outcome, ms in self.rows if p == phase and w == who]
                if not rows:
                    continue
                counts = Counter(outcome for outcome, _ in rows)
                times = sorted(ms for _, ms in rows)
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                lines.append(
                    (
                        phase,
                        f"{self.ended[phase] - self.started[phase]:.1f}",
                        who,
                        str(len(rows)),
                        str(counts["ok"]),
                        str(counts["429"]),
                        str(counts["503"]),
                        str(counts["500"]),
                        str(counts["signed out"]),
                        str(counts["failed"]),
                        f"{p95:.0f}",
                    )
                )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines)


def outcome_of(status: int) -> str:
    if status in (200, 301, 302):
        return "ok"
    return {429: "429", 503: "503", 500: "500"}.get(status, f"status {status}")


def anonymous_traffic(recorder: Recorder, stop: threading.Event) -> None:
    session = requests.Session()
    session.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "portal-faults/1"})
    while not stop.is_set():
        path = random.choice(ANONYMOUS_PATHS)  # noqa: S311
        # Many clients behind the proxy: throttles count per client, as in production.
        forwarded = f"198.51.100.{random.randint(1, 250)}"  # noqa: S311
        started = time.perf_counter()
        try:
            response = session.get(
                BASE + path, headers={"X-Forwarded-For": forwarded}, timeout=15, allow_redirects=False
            )
            outcome = outcome_of(response.status_code)
        except requests.RequestException:
            outcome = "failed"
        recorder.add("anonymous", outcome, (time.perf_counter() - started) * 1000)
        time.sleep(0.03)


def signed_in_traffic(browser: smoke.Browser, recorder: Recorder, stop: threading.Event) -> None:
    while not stop.is_set():
        path = random.choice(SIGNED_IN_PATHS)  # noqa: S311
        started = time.perf_counter()
        try:
            response = browser.request("GET", path, follow=False)
            to_sign_in = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            if to_sign_in or (response.status_code == 200 and "Sign out" not in response.text):
                outcome = "signed out"
            else:
                outcome = outcome_of(response.status_code)
        except requests.RequestException:
            outcome = "failed"
        recorder.add("signed in", outcome, (time.perf_counter() - started) * 1000)
        time.sleep(0.1)


# --- the processes ----------------------------------------------------------------------------------------------


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", REDIS_PORT, "shutdown", "nosave"], capture_output=True, check=False)
    for _ in range(40):
        if subprocess.run(["redis-cli", "-p", REDIS_PORT, "ping"], capture_output=True).returncode != 0:
            return
        time.sleep(0.1)
    raise AssertionError("Redis did not stop")


def redis_start() -> None:
    subprocess.run(
        [
            "redis-server",
            "--port",
            REDIS_PORT,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            str(WORK / "redis"),
            "--pidfile",
            str(WORK / "redis.pid"),
        ],
        capture_output=True,
        check=True,
    )
    for _ in range(40):
        if subprocess.run(["redis-cli", "-p", REDIS_PORT, "ping"], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    raise AssertionError("Redis did not start")


class WorkerProcess:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.log = open(WORK / "worker.log", "ab")  # noqa: SIM115 - open for the whole run
        self.kills = 0

    def start(self) -> None:
        env = {
            **os.environ,
            "EMAIL_BACKEND": "tests.resilience.slow_email_backend.SlowFileBackend",
            "EMAIL_FILE_PATH": str(WORK / "worker-mail"),
            "FAULTS_EMAIL_DELAY": "0.2",
        }
        command = [PY, "manage.py", "portal_worker", "--worker-id", WORKER_ID, "--interval", "0.2", "--no-reload"]
        command += ["--reclaim-after", "30", "--heartbeat", "1"]
        self.log.flush()
        self.tasks_started_at_start = self.tasks_started()
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603
        (WORK / "worker.pid").write_text(str(self.process.pid))

    def tasks_started(self) -> int:
        return (WORK / "worker.log").read_text(errors="replace").count("state=RUNNING")

    def wait_for_task(self, *, after_tasks: int, timeout: float) -> None:
        """Until this worker process has started `after_tasks` tasks (the last one still in hand)."""
        target = self.tasks_started_at_start + after_tasks
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.tasks_started() < target:
            time.sleep(0.02)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # no chance to finish the task in hand
        self.process.wait()
        self.kills += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def psql(sql: str) -> str:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-d", DB, "-tAc", sql], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def unfinished_tasks() -> int:
    return int(psql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"))


def healthz() -> dict:
    try:
        response = requests.get(BASE + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5)
        return {"status_code": response.status_code, **response.json()}
    except (requests.RequestException, ValueError):
        return {"status_code": 0}


# --- the journeys -----------------------------------------------------------------------------------------------


def sign_in() -> smoke.Browser:
    browser = smoke.Browser()
    response = browser.submit(
        "/account/login/", {"login": os.environ["SMOKE_HEAD_EMAIL"], "password": os.environ["SMOKE_PASSWORD"]}
    )
    assert response.status_code == 200 and "2fa/authenticate" in response.final_path, response.final_path
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.5)
    response = browser.submit(
        response.final_path, {"code": smoke.totp(os.environ["SMOKE_TOTP_SECRET"])}, form_page=response
    )
    assert response.status_code == 200 and "Sign out" in response.text, "not signed in after the code"
    return browser


def sign_up(address: str, client_number: int) -> int:
    """One VRU updates sign-up from its own client address; the confirmation email is queued after the commit."""
    browser = smoke.Browser()
    browser.session.headers["X-Forwarded-For"] = f"203.0.113.{client_number % 250 + 1}"
    page = browser.request("GET", "/updates/sign-up")
    if page.status_code != 200:
        return page.status_code
    version = re.search(r'name="statement_version" value="([^"]+)"', page.text).group(1)
    topics = re.findall(r'name="topics"[^>]*value="([^"]+)"', page.text) or re.findall(
        r'value="([^"]+)"[^>]*name="topics"', page.text
    )
    fields = {"email": address, "topics": topics[:1], "consent": "on", "statement_version": version}
    response = browser.submit("/updates/sign-up", fields, form_page=page)
    return 302 if "check-your-email" in response.final_path else response.status_code


def sent_messages() -> list:
    """Every message the worker wrote (the file backend separates messages with a line of 79 dashes)."""
    messages = []
    for path in sorted((WORK / "worker-mail").glob("*")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk))
    return messages


def main() -> int:
    worker = WorkerProcess()
    worker.start()
    browser = sign_in()
    print("  ok  signed in as the demo headteacher (password and TOTP)", flush=True)
    recorder = Recorder()
    stop = threading.Event()
    threads = [
        threading.Thread(target=anonymous_traffic, args=(recorder, stop), daemon=True),
        threading.Thread(target=signed_in_traffic, args=(browser, recorder, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    failures = []
    try:
        time.sleep(4)

        recorder.begin("redis down 10 s")
        redis_stop()
        time.sleep(10)
        down_health = healthz()
        recorder.begin("redis back (empty)")
        redis_start()
        time.sleep(4)

        recorder.begin(f"worker killed x{WORKER_KILLS}")
        addresses = [f"faults-{n}-{os.getpid()}@example.org" for n in range(EMAILS)]
        signup_statuses = Counter()

        def sign_ups(first: int):
            for number in range(first, EMAILS, SIGNUP_CLIENTS):
                status = sign_up(addresses[number], number)
                with recorder.lock:
                    signup_statuses[status] += 1

        signers = [threading.Thread(target=sign_ups, args=(n,), daemon=True) for n in range(SIGNUP_CLIENTS)]
        for signer in signers:
            signer.start()
        for _ in range(WORKER_KILLS):
            # Kill the worker in the middle of a task: as soon as it logs that it started one (sending takes 0.2 s).
            worker.wait_for_task(after_tasks=random.randint(1, 2), timeout=30)  # noqa: S311
            worker.kill()
            worker.start()
        for signer in signers:
            signer.join(timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if unfinished_tasks() == 0 and signup_statuses.total() == EMAILS:
                break
            time.sleep(0.5)

        if RESTART_POSTGRES:
            recorder.begin("postgres restart")
            version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and healthz().get("status_code") != 200:
                time.sleep(0.25)
            time.sleep(3)
            after_restart = [f"faults-pg-{n}-{os.getpid()}@example.org" for n in range(3)]
            for number, address in enumerate(after_restart):
                signup_statuses[sign_up(address, 200 + number)] += 1
            addresses += after_restart
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                sent_to = {address for message in sent_messages() for address in message.get_all("To", [])}
                if set(after_restart) <= sent_to:
                    break
                time.sleep(0.5)
        recorder.begin("after")
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        worker_alive = worker.alive()
        worker.stop()

    # --- what it saw -----------------------------------------------------------------------------------------
    print()
    print(recorder.table())
    messages = sent_messages()
    per_address = Counter(address for message in messages for address in message.get_all("To", []))
    counts = Counter(per_address[address] for address in addresses)
    taken_back = (WORK / "worker.log").read_text(errors="replace").count("task taken back from a stopped worker")
    statuses = psql(
        "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status ORDER BY status"
    ).replace("\n", ", ")
    print()
    print(f"  sign-ups answered: {dict(signup_statuses)}")
    print(
        f"  emails queued {len(addresses)}; sent once: {counts[1]}, never: {counts[0]}, more than once: "
        f"{sum(n for times, n in counts.items() if times > 1)}"
    )
    print(f"  worker killed mid-task {worker.kills} times; tasks taken back: {taken_back}; task rows: {statuses}")
    print(f"  /healthz while Redis was down: {down_health}")
    print(f"  PostgreSQL restart: {'done' if RESTART_POSTGRES else 'skipped (FAULTS_RESTART_POSTGRES is not 1)'}")
    print()

    anonymous_down = recorder.outcomes("redis down 10 s", "anonymous")
    if anonymous_down["500"] or anonymous_down["failed"]:
        failures.append(f"anonymous requests failed while Redis was down: {dict(anonymous_down)}")
    if not anonymous_down["ok"]:
        failures.append("no anonymous request succeeded while Redis was down")
    if down_health.get("status_code") != 200 or down_health.get("cache") != "error":
        failures.append(f"/healthz while Redis was down: {down_health}")
    for phase in recorder.order:
        for who in ("anonymous", "signed in"):
            seen = recorder.outcomes(phase, who)
            if seen["500"]:
                failures.append(f"{phase}: {seen['500']} answers of 500 to {who} requests")
            if who == "signed in" and seen["signed out"]:
                failures.append(f"{phase}: the headteacher was signed out ({seen['signed out']} requests)")
    if signup_statuses[302] != len(addresses):
        failures.append(f"sign-ups not all accepted: {dict(signup_statuses)}")
    if counts[1] != len(addresses):
        failures.append(f"emails not sent exactly once: {dict(counts)}")
    if RESTART_POSTGRES and not worker_alive:
        failures.append("the worker exited during the PostgreSQL restart")
    final = browser.request("GET", "/account/", follow=False)
    if final.status_code != 200 or "Sign out" not in final.text:
        failures.append(f"the headteacher is not signed in afterwards ({final.status_code})")
    else:
        print("  ok  the headteacher is still signed in afterwards")
    for failure in failures:
        print(f"  FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
