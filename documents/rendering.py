"""Django template → HTML → WeasyPrint → PDF.

Nothing is fetched from the network while rendering: the URL fetcher serves
`data:` URIs and files under the static folders only, and refuses everything
else (a template or a user-typed value that points at a remote image must not
make the worker call out, nor leak a patient's name in a URL). Fonts are the
system's, through fontconfig.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .context import thaw

logger = logging.getLogger(__name__)

PRINT_STYLESHEET = "documents/print.css"


class RemoteURLRefused(ValueError):
    """Raised by the fetcher for any URL that is not local."""


class RenderError(Exception):
    """A permanent rendering failure: retrying would fail the same way."""


def _allowed_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    roots.append((Path(__file__).parent / "static").resolve())
    return roots


class LocalOnlyURLFetcher(URLFetcher):
    """Serves `data:` URIs and static files; refuses the rest (remote URLs
    first of all). Refused URLs are kept in `refused` and logged."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if any(path.is_relative_to(root) for root in _allowed_roots()):
                return super().fetch(url, headers)
        self.refused.append(url)
        logger.warning("document rendering: refused to fetch %s", url[:200])
        raise RemoteURLRefused(f"URL refusée (seules les ressources locales sont permises) : {url}")


def _stylesheet_path() -> str:
    path = finders.find(PRINT_STYLESHEET)
    if not path:
        raise RenderError(f"feuille de style d'impression introuvable : {PRINT_STYLESHEET}")
    return path


def render_html(template: str, frozen: dict, meta: dict) -> str:
    """The HTML of a document from its frozen data only (plus its metadata:
    reference, request date), never from live objects."""
    data = thaw(frozen)
    return render_to_string(
        template,
        {"data": data.get("data", {}), "cabinet": data.get("cabinet") or {}, "document": meta},
    )


_local = threading.local()


def _shared_resources() -> tuple[FontConfiguration, CSS]:
    """The font configuration and the parsed print stylesheet, kept per
    thread (a worker process renders one document at a time) and reloaded
    when the stylesheet changes: about a tenth of a render's time."""
    path = _stylesheet_path()
    key = (path, os.path.getmtime(path))
    cached = getattr(_local, "resources", None)
    if cached is None or cached[0] != key:
        font_config = FontConfiguration()
        stylesheet = CSS(filename=path, url_fetcher=LocalOnlyURLFetcher(), font_config=font_config)
        cached = (key, font_config, stylesheet)
        _local.resources = cached
    return cached[1], cached[2]


def html_to_pdf(html: str, *, fetcher: LocalOnlyURLFetcher | None = None) -> bytes:
    fetcher = fetcher or LocalOnlyURLFetcher()
    font_config, stylesheet = _shared_resources()
    base_url = Path(_stylesheet_path()).parent.as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


def render_pdf(template: str, frozen: dict, meta: dict) -> bytes:
    return html_to_pdf(render_html(template, frozen, meta))


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
