"""Patient search text: lower case, accents removed, so a plain indexed
`LIKE '%term%'` finds "Hélène" from "helene". Plain Python: no ORM."""

from __future__ import annotations

import re
import unicodedata
from datetime import date


def fold(text: str) -> str:
    text = (text or "").replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_text(*, last_name: str, first_name: str, birth_name: str, birth_date: date | None,
                nir: str) -> str:
    parts = [last_name, first_name, birth_name]
    if birth_date:
        parts.append(birth_date.strftime("%d/%m/%Y"))
    if nir:
        parts.append(re.sub(r"\s", "", nir))
    return " ".join(fold(p).strip() for p in parts if p and p.strip())[:500]


_DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def terms(query: str) -> list[str]:
    """Search terms: words (folded), dates as dd/mm/yyyy (or dd/mm), a NIR
    typed with spaces kept together."""
    query = (query or "").strip()
    if not query:
        return []
    compact = re.sub(r"\s", "", query)
    if compact.isdigit() or re.fullmatch(r"\d[\dab]*", compact, re.IGNORECASE):
        return [compact.lower()]
    out = []
    for token in fold(query).split():
        iso = _ISO_RE.match(token)
        if iso:
            out.append(f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}")
            continue
        dm = _DATE_RE.match(token)
        if dm:
            day, month, year = dm.groups()
            text = f"{int(day):02d}/{int(month):02d}"
            if year and len(year) == 4:
                text += "/" + year
            out.append(text)
            continue
        token = re.sub(r"[^\w'\-/]", "", token)
        if token:
            out.append(token)
    return out[:6]
