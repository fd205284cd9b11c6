"""The access tests print what they covered at the end of the run (CI shows
it): cases of the role-by-URL test, requests of the hostile-input crawl.
Counts travel in each report's `user_properties`, so they add up under
pytest-xdist too."""

from __future__ import annotations

from collections import Counter

_TOTALS: Counter = Counter()
_URLS: dict[str, set] = {"role_by_url": set(), "hostile": set()}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key in ("role_by_url_cases", "hostile_requests", "hostile_server_errors",
                   "hostile_personas"):
            _TOTALS[key] += value
        elif key in ("role_by_url_url", "hostile_url"):
            _URLS["role_by_url" if key == "role_by_url_url" else "hostile"].add(value)
        if key in ("role_by_url_cases",) and report.failed:
            _TOTALS["role_by_url_failed"] += value


def pytest_terminal_summary(terminalreporter):
    if _TOTALS["role_by_url_cases"]:
        terminalreporter.write_line(
            f"role-by-URL: {_TOTALS['role_by_url_cases']} cases "
            f"({len(_URLS['role_by_url'])} URLs × personas), "
            f"{_TOTALS['role_by_url_failed']} failed"
        )
    if _TOTALS["hostile_requests"]:
        terminalreporter.write_line(
            f"hostile-input crawl: {_TOTALS['hostile_requests']} requests on "
            f"{len(_URLS['hostile'])} URLs ({_TOTALS['hostile_personas']} URL × persona crawls), "
            f"{_TOTALS['hostile_server_errors']} server errors"
        )
