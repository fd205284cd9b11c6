"""The production path, run on this machine: what the CI smoke check
(`.ci/smoke`) and the load benchmark (`bench/load.py`) share.

- `prepare_database`: migrate and load the demo data into a PostgreSQL
  database. `seed_demo` refuses production settings (the demo password must
  never reach a deployment), so this one step runs with debug on, into a
  database of its own; everything served afterwards runs with debug off.
- `collect_static_like_the_image`: runs the Dockerfile's own `collectstatic`
  line, so a recipe that does not write whitenoise's manifest fails here.
- `Gunicorn`: the web server with the production settings, on loopback.
- `Browser`: a small HTTP client that logs in through the login form (CSRF,
  secure cookies behind the TLS proxy header) and keeps its session.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-cabinet"  # noqa: S105 - the demo data's, in a throwaway database
DEMO_ROLES = {
    # one login per role, and the ones the benchmark measures
    "claire": "titulaire",
    "julie": "remplaçante",
    "nadia": "secrétaire",
    "admin": "administrateur",
}


class ProductionPathError(RuntimeError):
    pass


# --- database ---------------------------------------------------------------


def prepare_database(url: str, *, log=print) -> None:
    """Create (if needed), migrate and seed the demo data into `url`.

    Idempotent: a database already seeded is only migrated forward."""
    from bench.postgres import ensure_database

    ensure_database(url)
    env = _clean_env() | {"DATABASE_URL": url, "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": ""}
    started = time.monotonic()
    for args in (["migrate", "--noinput"], ["seed_demo", "--quiet"]):
        _run([str(BIN / "python"), "manage.py", *args], env=env)
    log(f"database ready in {time.monotonic() - started:.1f} s (migrated, demo data seeded)")


# --- static files -----------------------------------------------------------


def dockerfile_collectstatic_command(dockerfile: Path = ROOT / "Dockerfile") -> str:
    """The shell command of the Dockerfile's `RUN … collectstatic …` line."""
    logical, current = [], ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    runs = [
        line.strip()[4:].strip()
        for line in logical
        if line.strip().upper().startswith("RUN ") and "collectstatic" in line
    ]
    if len(runs) != 1:
        raise ProductionPathError(f"expected one RUN … collectstatic line in the Dockerfile, found {len(runs)}")
    return runs[0]


def collect_static_like_the_image(static_root: Path, *, dockerfile: Path = ROOT / "Dockerfile",
                                  log=print) -> None:
    """Run the Dockerfile's collectstatic line as the image build does, with
    nothing from this machine's environment (no DJANGO_* variable), only the
    output folder moved to `static_root`."""
    command = dockerfile_collectstatic_command(dockerfile)
    log(f"collectstatic as the Dockerfile does: {command}")
    env = _clean_env() | {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "STATIC_ROOT": str(static_root),
    }
    _run(["/bin/sh", "-c", command], env=env)


# --- gunicorn ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, static_root: Path, **extra: str) -> dict:
    """The environment of a deployment (as docker-compose.yml sets it), on loopback."""
    return _clean_env() | {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Two hosts: production asks which one passkeys are bound to.
        "OTP_WEBAUTHN_RP_ID": "localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "cabinet-prod-media"),
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", ""),
        # The demo users have no second factor; the check is about pages.
        "TWO_FACTOR_REQUIRED": "false",
    } | extra


class Gunicorn:
    """gunicorn serving config.wsgi with `env`, bound to 127.0.0.1 only."""

    def __init__(self, env: dict, *, workers: int = 2, extra_args: list[str] | None = None,
                 log_path: Path | None = None):
        self.port = free_port()
        self.env = env
        # The image's own arguments when given (.ci/smoke), else `workers` sync workers.
        self.args = extra_args if extra_args is not None else ["--workers", str(workers), "--timeout", "60"]
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        command = [
            str(BIN / "gunicorn"), "config.wsgi:application",
            *self.args,
            "--bind", f"127.0.0.1:{self.port}",
            "--error-logfile", str(self.log_path),
        ]
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ProductionPathError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise ProductionPathError(f"gunicorn did not listen within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- HTTP client --------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, url: str):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One user's browser against the server. The server sits behind a TLS
    proxy in production: every request carries `X-Forwarded-Proto: https`
    (SECURE_PROXY_SSL_HEADER), so secure cookies and the CSRF origin check
    behave as they do for a real user."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.cookies: dict[str, str] = {}
        self.frozen = False  # True: cookies received are ignored (a session shared by threads)

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "User-Agent": "cabinet-production-check",
            "Accept": "text/html,application/json",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers | (extra or {})

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 60) -> Response:
        conn = http.client.HTTPConnection(self.host, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=self._headers(headers))
            raw = conn.getresponse()
            data = raw.read()
            response = Response(raw.status, raw.getheaders(), data, path)
        finally:
            conn.close()
        for key, value in response.headers:
            if key.lower() == "set-cookie" and not self.frozen:
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def get_following(self, path: str, limit: int = 5) -> Response:
        response = self.get(path)
        for _ in range(limit):
            location = response.header("Location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                break
            response = self.get(self.local_path(location) or path)
        return response

    def post_form(self, path: str, fields: dict) -> Response:
        from urllib.parse import urlencode

        return self.request(
            "POST", path, body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{self.host}",
                "Referer": f"https://{self.host}{path}",
            },
        )

    def local_path(self, url: str) -> str | None:
        """The path of `url` when it points at this server, else None."""
        parts = urlsplit(urljoin(f"https://{self.host}/", url))
        if parts.netloc != self.host or parts.scheme not in ("http", "https"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Response:
        """Log in through the login page the way a person does; returns the
        page landed on. Raises if the login does not reach an ordinary page."""
        page = self.get_following("/")
        form = find_form(page.text, with_field="password")
        if page.status != 200 or form is None:
            raise ProductionPathError(f"no login form at {page.url} (HTTP {page.status})")
        fields = dict(form["fields"]) | {"username": username, "password": password}
        action = self.local_path(form["action"] or page.url) or page.url
        response = self.post_form(action, fields)
        if response.status != 302:
            raise ProductionPathError(
                f"login of {username} refused (HTTP {response.status}): {first_error(response.text)}"
            )
        landed = self.get_following(self.local_path(response.header("Location")) or "/")
        if landed.status != 200 or find_form(landed.text, with_field="password"):
            raise ProductionPathError(f"{username} did not reach a page after login (HTTP {landed.status})")
        return landed


# --- HTML -------------------------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            if "download" not in a:
                self.links.append(a["href"])
        elif tag == "link" and a.get("href") and "stylesheet" in (a.get("rel") or ""):
            self.assets.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                               "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


def find_form(html: str, *, with_field: str) -> dict | None:
    for form in parse_page(html).forms:
        if with_field in form["fields"]:
            return form
    return None


def first_error(html: str) -> str:
    match = re.search(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, re.S)
    return match.group(1).strip() if match else html[:200]


# --- helpers ----------------------------------------------------------------


def _clean_env() -> dict:
    """This process's environment without the app's settings variables, so a
    developer's DJANGO_* or .env values never leak into what is checked."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "STATIC_ROOT", "TWO_FACTOR"))}
    return keep


def _run(command: list[str], *, env: dict) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProductionPathError(
            f"{shlex.join(command)} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-4000:]}"
        )
