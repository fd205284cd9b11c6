"""S-INPUT-1 on the JSON commands: a lone UTF-16 surrogate (an escaped
"\\ud800", as a key or inside a label) gives a JSON error and exit status 2,
never a `UnicodeEncodeError` traceback. Run as real processes: the traceback
only shows when stdout is a real UTF-8 stream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import jsonio

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = {
    "ngap_quote": [
        '{"\\ud800": 1}',
        '{"date": "2025-03-03", "time": "09:00", "place": "domicile", '
        '"acts": [{"code": "AMI", "coefficient": 1, "label": "pansement \\udc00"}]}',
        '{"seances": [{"\\udfff": true}]}',
        '"\\ud800"',
    ],
    "protocol_eligibility": [
        '{"\\ud800": 1}',
        '{"date": "2025-03-03", "patient": {"\\ud83d": true}}',
        '{"date": "2025-03-03\\ud800"}',
        '["\\udc00"]',
    ],
}


def run_command(name: str, text: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", name], input=text.encode(), capture_output=True,
        cwd=ROOT, env=env, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    ("command", "text"),
    [(c, t) for c, texts in HOSTILE.items() for t in texts],
)
def test_s_input_1_lone_surrogate_gives_a_json_error_and_exit_2(command, text):
    result = run_command(command, text)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    document = json.loads(result.stdout.decode("utf-8"))
    assert "error" in document
    # The output is valid UTF-8 and echoes no lone surrogate back.
    assert jsonio.lone_surrogate_path(document) is None


def test_s_input_1_shared_helper_refuses_and_never_writes_a_surrogate():
    with pytest.raises(jsonio.JsonInputError) as caught:
        jsonio.loads('{"a": [1, {"b": "x\\ud800"}]}')
    assert caught.value.field == "a[1].b"
    with pytest.raises(jsonio.JsonInputError):
        jsonio.loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(jsonio.JsonInputError):
        jsonio.decode(b"\xff\xfe")
    text = jsonio.dumps({"error": "clé inconnue « \ud800 »", "ok": "é"})
    text.encode("utf-8")
    assert json.loads(text)["ok"] == "é"
