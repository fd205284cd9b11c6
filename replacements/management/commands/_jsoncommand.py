"""Shared plumbing of the two JSON commands: read stdin, print one JSON line, exit 2 on
bad input (never a traceback)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from replacements.jsonio import InputError, loads

EXIT_INVALID = 2


class JsonCommand(BaseCommand):
    requires_system_checks: list = []
    stealth_options = ("stdin",)

    def compute(self, payload) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def handle(self, *args, **options):
        stream = options.get("stdin") or sys.stdin
        try:
            raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
            result = self.compute(loads(raw))
        except InputError as exc:
            return self._fail(str(exc), exc.details)
        except Exception as exc:  # noqa: BLE001 - the contract: JSON, never a traceback
            return self._fail("Erreur interne.", [type(exc).__name__])
        self._emit(result)

    def _emit(self, document: dict) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False))

    def _fail(self, message: str, details: list[str]) -> None:
        self._emit({"error": message, "details": details})
        self.stdout.flush()
        raise SystemExit(EXIT_INVALID)
