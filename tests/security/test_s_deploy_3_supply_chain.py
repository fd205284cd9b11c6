"""S-DEPLOY-3: `make audit` fails when packages could not be audited (the
probe saw "No known vulnerabilities found" and exit 0 while 101 of 101
packages "could not be audited"), and bandit passes with each reviewed
finding ignored with its reason."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _audit_commands() -> list[list[str]]:
    out = subprocess.run(  # noqa: S603
        ["make", "-n", "-o", "setup", "audit", "AUDIT_REQUIREMENTS=REQ"], cwd=ROOT,
        capture_output=True, text=True, check=True,
    ).stdout
    return [shlex.split(line) for line in out.splitlines() if line.strip()]


def test_s_deploy_3_an_audit_that_checked_nothing_fails(tmp_path):
    [pip_audit] = [c for c in _audit_commands() if Path(c[0]).name == "pip-audit"]
    assert "--strict" in pip_audit
    requirements = tmp_path / "requirements.txt"
    # A package no advisory service knows: it cannot be audited.
    requirements.write_text(
        "cabinet-idel-paquet-inexistant==0.0.1 \\\n"
        "    --hash=sha256:" + "0" * 64 + "\n"
    )
    command = [str(ROOT / c) if c.startswith(".venv/") else c for c in pip_audit]
    command = [str(requirements) if c == "REQ" else c for c in command]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                            timeout=300, check=False)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" not in result.stdout


def test_s_deploy_3_bandit_passes_and_every_ignore_has_a_reason():
    [bandit] = [c for c in _audit_commands() if Path(c[0]).name == "bandit"]
    command = [str(ROOT / c) if c.startswith(".venv/") else c for c in bandit]
    result = subprocess.run(command + ["-q"], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    ignores = 0
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "bench"} or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.search(r"#\s*nosec\b(.*)$", line)
            if match:
                ignores += 1
                reason = re.sub(r"B\d{3}", "", match.group(1)).strip(" -:,")
                assert len(reason) >= 8, f"{path.relative_to(ROOT)}:{number}: nosec without a reason"
    print(f"bandit: {ignores} reviewed ignores, each with its reason")
    assert ignores >= 5
