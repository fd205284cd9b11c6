"""Running the billing JSON commands in-process, as the tests of their contract do."""

from __future__ import annotations

import io
import json

from django.core.management import call_command


def run_json_command(name: str, payload) -> tuple[int, dict]:
    """(exit status, parsed stdout) of `name` given `payload` (a text, or data dumped as JSON)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    out = io.StringIO()
    try:
        call_command(name, stdin=io.StringIO(text), stdout=out)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue())
