"""What the browser tests share.

Every page a browser test lands on is checked twice (`audit_page`): nothing is
wider than the screen (no sideways scrolling on a 360 px phone), and axe-core
(vendored in `tests/vendor/axe-core/`, never loaded from the network) finds no
serious or critical accessibility violation. The `browser` fixture runs the
check after each `goto` and `wait_for_url`, before a page is closed and on the
pages still open at the end of a test, so a test cannot forget it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

AXE_SOURCE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# The impacts that fail a page; "moderate" and "minor" findings are reported by
# axe but do not fail the suite.
FAILING_IMPACTS = ("serious", "critical")
# Folder of the screenshots the browser tests save (gitignored); the README's
# tour uses a few of them, copied to docs/img/.
ARTEFACTS_DIR = Path(__file__).resolve().parent.parent / "out" / "screenshots"

_axe_source: str | None = None


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_SOURCE_PATH.read_text("utf-8")
    return _axe_source


def page_width_problem(page) -> str | None:
    """The page's width when it is wider than its viewport, else None."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] > widths[1]:
        return f"{widths[0]} px wide for a {widths[1]} px screen"
    return None


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Injected through the DevTools protocol: the page's CSP (script-src
        # 'self') stays as in production.
        page.evaluate(_axe())
    results = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in results if v["impact"] in FAILING_IMPACTS]


@dataclass
class PageAudit:
    """Problems found on the pages visited during one test."""

    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def check(self, page) -> None:
        if page.is_closed() or not page.url.startswith("http"):
            return
        url = page.url
        self.visited.append(url)
        width = page_width_problem(page)
        if width:
            self.problems.append(f"{url}: {width}")
        for violation in axe_violations(page):
            self.problems.append(
                f"{url}: axe {violation['impact']} {violation['id']} ({violation['help']}) "
                f"at {violation['nodes']}"
            )


def audit_page(page) -> None:
    """Check the page now and fail at once on a problem."""
    audit = PageAudit()
    audit.check(page)
    assert not audit.problems, "\n".join(audit.problems)


def save_screenshot(page, name: str) -> Path:
    """Save what the screen shows as a test artefact (out/screenshots/NAME.png)."""
    ARTEFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def browser_login(page, live_server, username: str, *, lands_on: str = "/") -> None:
    """Log a demo user in through the login page, as a person would, and wait
    for the page the login leads to (`lands_on`, a URL pattern; the second
    factor's page when the user has one)."""
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("demo-cabinet")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}{lands_on}")
