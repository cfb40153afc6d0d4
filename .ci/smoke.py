"""Production smoke journey over HTTP against gunicorn on loopback (driven by .ci/smoke.sh).

Loopback has no TLS, so every request says `X-Forwarded-Proto: https` (the proxy's header, trusted by
SECURE_PROXY_SSL_HEADER) and the client sends the Secure `__Host-` cookies back over plain HTTP to this one host.

Environment: SMOKE_BASE (http://127.0.0.1:PORT), SMOKE_URN (the demo school), SMOKE_TOTP_SECRET, SMOKE_PASSWORD,
SMOKE_HEAD_EMAIL, SMOKE_INVITE_EMAIL, SMOKE_WORKER_MAIL_DIR, SMOKE_WEB_MAIL_DIR, SMOKE_WORKER_LOG.
"""

import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import struct
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import extract_cookies_to_jar

BASE = os.environ["SMOKE_BASE"].rstrip("/")
HOST = urlsplit(BASE).netloc
ORIGIN = f"https://{HOST}"
timings: list[tuple[str, float]] = []


def totp(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (SHA-1), as authenticator apps and allauth compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies back to the loopback server: TLS ends at the (simulated) proxy."""

    def return_ok_secure(self, cookie, request):
        return True

    def set_ok(self, cookie, request):
        return True


class Browser:
    def __init__(self):
        self.session = requests.Session()
        # requests copies the session's jar into a default-policy jar per request (which drops Secure cookies over
        # http), so cookies live in a jar of our own and go out in the Cookie header.
        self.jar = http.cookiejar.CookieJar(policy=LoopbackPolicy())
        self.session.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "portal-smoke/1"})

    def _url(self, path_or_url: str) -> str:
        parts = urlsplit(urljoin(BASE + "/", path_or_url))
        return f"{BASE}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def _send(self, method: str, url: str, *, data=None, headers=None):
        headers = dict(headers or {})
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)
        if cookies:
            headers["Cookie"] = cookies
        response = self.session.request(method, url, data=data, headers=headers, allow_redirects=False, timeout=30)
        extract_cookies_to_jar(self.jar, response.request, response.raw)
        self.session.cookies.clear()
        return response

    def cookie(self, name: str):
        return next((cookie for cookie in self.jar if cookie.name == name), None)

    def request(self, method: str, path: str, *, data=None, follow=True, referer: str | None = None):
        url = self._url(path)
        headers = {}
        if method == "POST":
            headers = {"Origin": ORIGIN, "Referer": ORIGIN + urlsplit(referer or url).path}
        response = self._send(method, url, data=data, headers=headers)
        hops = 0
        while follow and response.status_code in (301, 302, 303, 307, 308) and hops < 10:
            location = response.headers["Location"]
            target = urlsplit(urljoin(ORIGIN + urlsplit(url).path, location))
            assert target.netloc in ("", HOST), f"redirect off-site: {location}"
            url = self._url(target.path + (f"?{target.query}" if target.query else ""))
            response = self._send("GET", url)
            hops += 1
        response.final_path = urlsplit(url).path
        return response

    def csrf_token(self, response) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        assert match, f"no CSRF token on {response.final_path}"
        return match.group(1)

    def submit(self, path: str, fields: dict, *, form_page=None):
        page = form_page or self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code)
        return self.request(
            "POST", path, data={"csrfmiddlewaretoken": self.csrf_token(page), **fields}, referer=page.url
        )


def page_errors(response) -> str:
    """The GOV.UK error summary's text, for a failure message."""
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.text, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else "(no error summary)"


def step(label: str):
    def wrap(func):
        started = time.perf_counter()
        result = func()
        timings.append((label, time.perf_counter() - started))
        print(f"  ok  {label} ({timings[-1][1]:.2f}s)", flush=True)
        return result

    return wrap


def main() -> int:
    urn = os.environ["SMOKE_URN"]
    invite_email = os.environ["SMOKE_INVITE_EMAIL"]
    worker_mail = Path(os.environ["SMOKE_WORKER_MAIL_DIR"])
    web_mail = Path(os.environ["SMOKE_WEB_MAIL_DIR"])
    worker_log = Path(os.environ["SMOKE_WORKER_LOG"])
    browser = Browser()

    @step("/healthz reports database, cache, storage and the worker's heartbeat ok")
    def _():
        for _attempt in range(40):  # the worker writes its first heartbeat once Django has started in it
            response = browser.request("GET", "/healthz")
            body = response.json()
            if body.get("worker") == "ok":
                break
            time.sleep(0.25)
        expected = {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"}
        assert response.status_code == 200 and body == expected, body
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    @step("home page over 'https': CSP nonce, static files by whitenoise")
    def _():
        response = browser.request("GET", "/")
        assert response.status_code == 200
        assert "'nonce-" in response.headers["Content-Security-Policy"]
        css = re.search(r'href="(/static/[^"]+\.css)"', response.text)
        assert css, "no stylesheet link"
        static = browser.request("GET", css.group(1))
        assert static.status_code == 200 and "max-age" in static.headers.get("Cache-Control", ""), static.headers

    @step("sign in with password")
    def _():
        response = browser.submit(
            "/account/login/", {"login": os.environ["SMOKE_HEAD_EMAIL"], "password": os.environ["SMOKE_PASSWORD"]}
        )
        assert response.status_code == 200 and "2fa/authenticate" in response.final_path, (
            response.status_code,
            response.final_path,
            page_errors(response),
        )
        session_cookie = browser.cookie("__Host-sessionid")
        assert session_cookie is not None and session_cookie.secure, [c.name for c in browser.jar]
        assert session_cookie.has_nonstandard_attr("HttpOnly"), "session cookie without HttpOnly"
        browser.mfa_page = response

    @step("second factor: TOTP code from the seeded secret")
    def _():
        secret = os.environ["SMOKE_TOTP_SECRET"]
        # Stay clear of a 30-second boundary so the code is still valid when it arrives.
        if time.time() % 30 > 27:
            time.sleep(30 - time.time() % 30 + 0.5)
        response = browser.submit(browser.mfa_page.final_path, {"code": totp(secret)}, form_page=browser.mfa_page)
        assert response.status_code == 200, response.status_code
        assert "2fa/authenticate" not in response.final_path and "login" not in response.final_path
        assert "Sign out" in response.text, "not signed in after the code"

    @step("invite a member of staff (a write that sends an email)")
    def _():
        response = browser.submit(f"/schools/{urn}/people/invite/", {"email": invite_email})
        assert response.status_code == 200, response.status_code
        assert "/invitations/" in response.final_path, response.final_path

    @step("the worker sent the invitation (file backend in the worker's directory only)")
    def _():
        deadline = time.monotonic() + 60
        found = None
        while time.monotonic() < deadline and found is None:
            for path in sorted(worker_mail.glob("*.log")):
                text = path.read_text(errors="replace")
                if f"To: {invite_email}" in text:
                    found = text
                    break
            else:
                time.sleep(0.5)
        assert found, f"no email to {invite_email} from the worker within 60s"
        assert "/invitations/" in found or "invitation" in found.lower()
        assert not any(web_mail.glob("*")), "the web process sent mail itself"
        log = [json.loads(line) for line in worker_log.read_text().splitlines() if line.startswith("{")]
        sent = [r for r in log if r.get("message") == "email sent" and r.get("template") == "accounts_invitation"]
        assert sent, "no 'email sent' line for accounts_invitation in the worker's log"

    @step("sign out")
    def _():
        page = browser.request("GET", "/account/logout/")
        response = browser.submit("/account/logout/", {}, form_page=page)
        assert response.status_code == 200
        assert browser.request("GET", f"/schools/{urn}/people/invite/", follow=False).status_code in (302, 403)

    total = sum(seconds for _, seconds in timings)
    print(f"  journey: {len(timings)} steps in {total:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
