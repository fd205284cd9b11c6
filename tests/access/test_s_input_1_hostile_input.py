"""S-INPUT-1: no input, however hostile, produces a server error.

For every URL of the project (the walk and the per-URL arguments of
test_role_by_url), as a titulaire, the remplaçante and the secrétaire, and
anonymously for the public pages (login, health check, calendar feed):

- GET the page, then GET it again with hostile query strings: every parameter
  its GET forms use, plus `q`, `jour`, `page` and `mois`;
- for every `<form method="post">` of the page, post the form's own fields
  filled with hostile values, in fixed rounds (see `post_rounds`), to the
  form's action and, once, to the page itself when the action differs;
- a URL that is only ever posted to (its policy says `method="post"`) gets the
  same rounds on the fields its policy posts.

A status of 500 or an exception escaping the view is a failure; all failures
of a URL are collected and reported together with the values posted.

The values are a fixed list, so a failure always reproduces. The rounds are
of two kinds: every field set to the same hostile value (what a script sends),
and the form as rendered with only the fields of one kind (text, number,
date, time, choice, file) replaced, so the rest of the form stays valid and
the hostile value travels past validation into the code that uses it.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from tests.access.test_role_by_url import POLICIES, PUBLIC_URLS, URLS

HOSTILE_PERSONAS = ("claire", "julie", "nadia")
BASE_DIR = Path(__file__).resolve().parents[2]

LONG = "A" * 10_000
TEXT_VALUES = {
    "long": LONG,
    "nul": "Dupont\x00nul",
    "unicode": "\u202eenilno\u202c 👩\u200d⚕️🩺 e\u0301\u0301\u0301\u0301 \ufeff\u200b",
    "sql": "' OR '1'='1'; DROP TABLE cabinet_patient; --",
    "html": "<script>alert('x')</script>\"><img src=x onerror=alert(1)>{{ 7*7 }}{% now %}",
}
NUMBER_VALUES = {
    "negative": "-1",
    "overflow-float": "1e309",
    "huge": "99999999999999999999",
    "nan": "NaN",
    "long-number": "9" * 10_000,
}
DATE_VALUES = {
    "feb-30": "2026-02-30",
    "year-9999": "9999-12-31",
    "year-1": "0001-01-01",
    "zeros": "0000-00-00",
    "fr-feb-30": "30/02/2026",
}
TIME_VALUES = {"25:61": "25:61", "24:00": "24:00", "negative-time": "-1:00"}
CHOICE_VALUES = {"unknown-choice": "__inconnu__", "unknown-pk": "99999999999999999999"}

# Query strings: a shorter list, the GET pages only read and filter.
GET_VALUES = {
    **{k: TEXT_VALUES[k] for k in ("long", "nul", "unicode", "sql")},
    **{k: NUMBER_VALUES[k] for k in ("negative", "huge")},
    **{k: DATE_VALUES[k] for k in ("feb-30", "year-9999", "year-1")},
    "empty": "",
}
# Every field of a form set to one value: the variants of a kind that only
# matter when the rest of the form is valid are left to the typed rounds.
ALL_FIELDS_VALUES = {
    **TEXT_VALUES,
    **{k: NUMBER_VALUES[k] for k in ("negative", "overflow-float", "huge", "nan")},
    **{k: DATE_VALUES[k] for k in ("feb-30", "year-9999", "year-1", "zeros")},
    "25:61": "25:61",
    "empty": "",
}
GET_PARAMS = ("q", "jour", "page", "mois")

# Names whose values are dates or times even when the widget is a text input.
DATE_NAME = re.compile(r"(date|jour|day|debut|fin|start|end|until|since|_on$|_at$|birth|naissance)")
TIME_NAME = re.compile(r"(time|heure|window|slot)")
DATE_VALUE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$")
TIME_VALUE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
NUMBER_VALUE = re.compile(r"^-?\d+([.,]\d+)?$")


def lying_files() -> dict[str, SimpleUploadedFile]:
    """Uploads whose name or declared type lies about their content."""
    return {
        "html-as-pdf": SimpleUploadedFile(
            "ordonnance.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        "pdf-as-jpeg": SimpleUploadedFile("scan.jpg", b"%PDF-1.4\n%truncated", "image/jpeg"),
        "empty-pdf": SimpleUploadedFile("vide.pdf", b"", "application/pdf"),
        "binary-traversal": SimpleUploadedFile(
            "../../" + "x" * 300 + ".pdf", b"\x00\xff\xd8\x00" * 64, "application/pdf"),
    }


@dataclass
class Field:
    name: str
    kind: str  # the input type, "textarea", or "choice" (select, radio, checkbox)
    default: str | None
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)


class FormParser(HTMLParser):
    """The forms of a page, with each field's kind and rendered value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(method=a.get("method", "get").lower(), action=a.get("action", ""))
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = a.get("value")
            self._select.options.append(value if value is not None else "")
            if "selected" in a or self._select.default is None:
                self._select.default = value if value is not None else ""
            return
        if self._form is None or not a.get("name"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if a["name"] == "csrfmiddlewaretoken":
                return
            if kind in ("checkbox", "radio"):
                existing = next((f for f in self._form.fields if f.name == a["name"]), None)
                if existing is None:
                    existing = Field(a["name"], "choice", None)
                    self._form.fields.append(existing)
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.default = a.get("value", "on")
                return
            self._form.fields.append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "choice", None)
            self._form.fields.append(self._select)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def kind_of(f: Field) -> str:
    """The kind of value a field expects, from its widget, name and value."""
    if f.kind in ("choice", "file"):
        return f.kind
    if f.kind == "textarea":
        return "text"
    if f.kind == "number" or (f.default and NUMBER_VALUE.match(f.default)):
        return "number"
    if f.kind in ("date", "datetime-local", "month") or (f.default and DATE_VALUE.match(f.default)):
        return "date"
    if f.kind == "time" or (f.default and TIME_VALUE.match(f.default)):
        return "time"
    name = f.name.lower()
    if DATE_NAME.search(name):
        return "date"
    if TIME_NAME.search(name):
        return "time"
    return "text"


def rendered(form: Form) -> dict[str, object]:
    """The form as the browser would post it untouched."""
    data: dict[str, object] = {}
    for f in form.fields:
        if f.kind == "file" or f.default is None:
            continue
        data[f.name] = f.default
    return data


def post_rounds(form: Form):
    """(label, data) of each hostile submission of one form."""
    names = [f.name for f in form.fields if f.kind != "file"]
    kinds = {f.name: kind_of(f) for f in form.fields}
    base = rendered(form)

    for label, value in ALL_FIELDS_VALUES.items():
        yield f"all={label}", {name: value for name in names}

    typed = (
        ("text", TEXT_VALUES), ("number", NUMBER_VALUES),
        ("date", DATE_VALUES), ("time", TIME_VALUES), ("choice", CHOICE_VALUES),
    )
    for kind, values in typed:
        targets = [n for n in names if kinds[n] == kind]
        if not targets:
            continue
        for label, value in values.items():
            yield f"{kind}={label}", {**base, **{n: value for n in targets}}

    # Every field sent twice: the value as rendered, then a hostile one.
    yield "repeated", {n: [str(base.get(n, "")), TEXT_VALUES["sql"]] for n in names}

    if any(f.kind == "file" for f in form.fields):
        for label, upload in lying_files().items():
            files = {f.name: upload for f in form.fields if f.kind == "file"}
            yield f"file={label}", {**base, **files}


def short(data: dict) -> str:
    def fmt(value):
        if isinstance(value, SimpleUploadedFile):
            return f"<file {value.name[:30]!r} {value.content_type}>"
        if isinstance(value, list):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        text = str(value)
        return repr(text if len(text) <= 40 else f"{text[:20]}…({len(text)} chars)")

    return "{" + ", ".join(f"{k}={fmt(v)}" for k, v in data.items()) + "}"


class Crawl:
    def __init__(self, client, persona: str):
        self.client = client
        self.persona = persona
        self.failures: list[str] = []
        self.requests = 0
        self._sent: set[tuple] = set()

    def request(self, method: str, url: str, data: dict, label: str):
        # A form with few fields gives the same body in several rounds; the
        # tournée actions run the route solver for a second each time.
        key = (method, url, short(data))
        if key in self._sent:
            return None
        self._sent.add(key)
        self.requests += 1
        try:
            # A savepoint per request: a database error in one request must
            # not poison the next ones (PostgreSQL aborts the transaction).
            with transaction.atomic():
                response = getattr(self.client, method)(url, data=data)
        except Exception as exc:  # every escaping exception is a finding, reported below
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if f.filename.startswith(str(BASE_DIR))
                    and "site-packages" not in f.filename]
            where = (f"{Path(ours[-1].filename).relative_to(BASE_DIR)}:{ours[-1].lineno}"
                     if ours else "?")
            self.failures.append(
                f"{method.upper()} {url} as {self.persona} [{label}]: "
                f"{type(exc).__name__}: {str(exc)[:160]} at {where} with {short(data)}"
            )
            return None
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url} as {self.persona} [{label}]: "
                f"{response.status_code} with {short(data)}"
            )
        return response


def page_forms(response) -> list[Form]:
    if response is None or response.status_code != 200:
        return []
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode(errors="replace"))
    return parser.forms


def action_name(action: str) -> str | None:
    try:
        return resolve(urlsplit(action).path).view_name
    except Resolver404:
        return None


# Posting the logout form would end the session the rest of the crawl uses;
# it is crawled under its own URL name.
SKIPPED_ACTIONS = {"logout"}


def crawl_url(url_name: str, persona: str, personas) -> Crawl:
    policy = POLICIES[url_name]
    url = reverse(url_name, kwargs=policy.kwargs(personas) if policy.kwargs else {})
    crawl = Crawl(personas.client(None if persona == "anonymous" else persona), persona)

    if policy.method == "post":
        form = Form("post", url, [Field(name, "text", str(value)) for name, value in policy.data.items()])
        for label, data in post_rounds(form):
            crawl.request("post", url, data, label)
        return crawl

    response = crawl.request("get", url, {}, "plain")
    if response is not None and response.status_code == 403:
        # The role check answers before the view reads anything.
        return crawl
    forms = page_forms(response)

    query_names = set(GET_PARAMS)
    for form in forms:
        if form.method == "get":
            query_names.update(f.name for f in form.fields)
    for label, value in GET_VALUES.items():
        crawl.request("get", url, {name: value for name in sorted(query_names)}, f"query={label}")
    crawl.request("get", url, {name: ["1", GET_VALUES["sql"]] for name in sorted(query_names)},
                  "query=repeated")

    seen: set[tuple] = set()
    for form in forms:
        if form.method != "post":
            continue
        target = form.action or url
        name = action_name(target)
        if name in SKIPPED_ACTIONS and name != url_name:
            continue
        key = (name, tuple(sorted(f.name for f in form.fields)))
        if key in seen:
            continue
        seen.add(key)
        for label, data in post_rounds(form):
            crawl.request("post", target, data, label)
        if urlsplit(target).path != url:
            label, data = next(post_rounds(form))
            crawl.request("post", url, data, f"on the page, {label}")
    return crawl


@pytest.fixture
def quick_solver(settings):
    """The route solver searches for its whole time limit; a crawl posting the
    tournée actions dozens of times needs an answer, not the best one."""
    settings.ROUTING_TIME_LIMIT_S = 0.05
    settings.ROUTING_DISPATCH_TIME_LIMIT_S = 0.1


@pytest.mark.parametrize("url_name", sorted(POLICIES))
def test_s_input_1_no_hostile_input_causes_a_server_error(
    url_name, personas, quick_solver, request
):
    assert url_name in URLS
    failures = []
    sent = 0
    # The pages open to anyone (the login form first) face the hostile
    # input of strangers too.
    crawled = HOSTILE_PERSONAS + (("anonymous",) if url_name in PUBLIC_URLS else ())
    for persona in crawled:
        crawl = crawl_url(url_name, persona, personas)
        failures += crawl.failures
        sent += crawl.requests
    # Printed at the end of the run (tests/access/conftest.py).
    request.node.user_properties += [
        ("hostile_requests", sent), ("hostile_server_errors", len(failures)),
        ("hostile_personas", len(crawled)), ("hostile_url", url_name),
    ]
    assert not failures, f"{len(failures)} server error(s):\n" + "\n".join(failures)
