"""Hostile input on the JSON commands (S-INPUT-1): one helper shared by every
command that reads JSON on stdin and writes JSON on stdout (`ngap_quote`,
`protocol_eligibility`, and the ones to come: `invoice_audit`,
`check_contract`, `retrocession`).

JSON allows escapes such as "\\ud800" that decode to a lone UTF-16 surrogate:
Python accepts it in a `str`, but it cannot be written as UTF-8, so echoing it
back (in an error naming an unknown key, or in an act's label) ended in a
`UnicodeEncodeError` traceback. Input with one is refused up front with its
path, and output is always encodable whatever it contains.
"""

from __future__ import annotations

import json
from typing import Any

EXIT_INVALID = 2


class JsonInputError(ValueError):
    """Input a JSON command refuses: the message and where it is."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate(value: Any, where: str = "") -> tuple[str, bool] | None:
    """The first string (key or value) holding a lone surrogate, as (path of the value, or
    of the object whose key it is; True for a key), or None when there is none. Iterative,
    so a deeply nested document cannot exhaust the stack."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                return path, False
        elif isinstance(item, dict):
            for key, sub in item.items():
                key_text = str(key)
                if _has_lone_surrogate(key_text):
                    return path, True
                stack.append((sub, f"{path}.{key_text}" if path else key_text))
        elif isinstance(item, list | tuple):
            stack.extend((sub, f"{path}[{i}]") for i, sub in enumerate(item))
    return None


def lone_surrogate_path(value: Any, where: str = "") -> str | None:
    """The path of the first string (key or value) holding a lone surrogate,
    "" for the top level, or None when there is none."""
    found = lone_surrogate(value, where)
    if found is None:
        return None
    path, in_key = found
    if in_key:
        # Never echo the key itself: it is what cannot be written.
        return f"{path}.<clé>" if path else "<clé>"
    return path


def decode(raw: bytes | str) -> str:
    """Bytes read on stdin → text; anything but UTF-8 is refused."""
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonInputError("entrée non UTF-8") from None
    return raw


def loads(text: str, **json_kwargs) -> Any:
    """Parse a JSON document, refusing syntax errors, absurd nesting and lone
    surrogates with a `JsonInputError` (never another exception)."""
    if not text.strip():
        raise JsonInputError("entrée vide : un document JSON est attendu sur l'entrée standard")
    if _has_lone_surrogate(text):
        raise JsonInputError("caractère invalide dans l'entrée (demi-paire UTF-16 isolée)")
    try:
        payload = json.loads(text, **json_kwargs)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"JSON invalide : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})"
        ) from None
    except RecursionError:
        raise JsonInputError("JSON trop imbriqué") from None
    check_text(payload)
    return payload


def check_text(payload: Any) -> None:
    """Refuse a parsed document holding a lone surrogate (an escaped "\\ud800")."""
    path = lone_surrogate_path(payload)
    if path is not None:
        raise JsonInputError(
            "caractère invalide : demi-paire UTF-16 isolée (\\ud800-\\udfff)", path or ""
        )


def dumps(payload: Any, indent: int | None = None) -> str:
    """JSON text that can always be written as UTF-8: readable accents when
    possible, escapes when the payload holds a lone surrogate anyway."""
    text = json.dumps(payload, ensure_ascii=False, indent=indent)
    if _has_lone_surrogate(text):
        return json.dumps(payload, ensure_ascii=True, indent=indent)
    return text
