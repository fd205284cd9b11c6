"""The NGAP Titre XVI act catalogue (data/ngap_titre_xvi.csv), loaded once,
and its search: by id, letter key, coefficient ("4", "4,5") and words of the
designation (accent-insensitive, word prefixes)."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "ngap_titre_xvi.csv"

KEYS = ("AMI", "AMX", "AIS", "DI", "BSA", "BSB", "BSC", "TLS", "TLL", "TLD", "TMI")
BSI_FORFAITS = frozenset({"BSA", "BSB", "BSC"})
# Keys valued in euros per act (no coefficient): coefficient null in ngap_quote.
EURO_FORFAITS = frozenset({"BSA", "BSB", "BSC", "TLS", "TLL", "TLD"})

# Catalogue ids the engine needs to recognise (cited in billing/ngap/engine.py).
PRELEVEMENT_IDS = frozenset({"XVI-1-1-PVD"})
VACCINATION_IDS = frozenset({"XVI-1-1-VACCPRES", "XVI-1-1-VACCSSPRES"})
ANALGESIE_IDS = frozenset({"XVI-1-3-ANALG"})
POSTOP_SEANCE_IDS = frozenset({"XVI-2-7-SURVPO", "XVI-2-7-CATHPN"})
POSTOP_RETRAIT_IDS = frozenset({"XVI-2-7-RETSONDE", "XVI-2-7-DRAIN"})
BILAN_PLAIE_IDS = frozenset({"XVI-1-3-BILANPL"})
PERFUSION_ORGSURV_IDS = frozenset({"XVI-2-3-ORGSURV", "XVI-2-4-ORGSURV"})


@dataclass(frozen=True, slots=True)
class CatalogueAct:
    id: str
    chapter: str
    article: str
    designation: str
    key: str
    coefficient: Decimal
    exempt_from_decote: bool
    group: str  # "", "5bis", "perfusion"
    mci_eligible: bool
    bsi_full_rate: bool
    notes: str
    status: str  # VERIFIED | UNCERTAIN

    @property
    def is_pansement(self) -> bool:
        """Dressings (ch. I art. 2 and 3, the 5bis heavy dressing): the acts an
        analgésie topique (NGAP-11B-X6) goes with."""
        return (
            self.chapter == "I" and self.article in {"2", "3"} and self.id not in ANALGESIE_IDS
        ) or self.id == "XVI-2-5BIS-PANSDIAB"

    @property
    def coefficient_label(self) -> str:
        return format_coefficient(self.coefficient)

    @property
    def cotation(self) -> str:
        if self.key in EURO_FORFAITS:
            return self.key
        return f"{self.key} {self.coefficient_label}"


def format_coefficient(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _bool(raw: str, where: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise ValueError(f"{where}: booléen attendu, pas {raw!r}")


@cache
def load() -> dict[str, CatalogueAct]:
    acts: dict[str, CatalogueAct] = {}
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            act_id = row["id"].strip()
            if act_id in acts:
                raise ValueError(f"catalogue: id en double {act_id}")
            if row["key"] not in KEYS:
                raise ValueError(f"catalogue {act_id}: lettre-clé inconnue {row['key']}")
            if row["group"] not in ("", "5bis", "perfusion"):
                raise ValueError(f"catalogue {act_id}: groupe inconnu {row['group']}")
            acts[act_id] = CatalogueAct(
                id=act_id,
                chapter=row["chapter"],
                article=row["article"],
                designation=row["designation"],
                key=row["key"],
                coefficient=Decimal(row["coefficient"]),
                exempt_from_decote=_bool(row["exempt_from_decote"], act_id),
                group=row["group"],
                mci_eligible=_bool(row["mci_eligible"], act_id),
                bsi_full_rate=_bool(row["bsi_full_rate"], act_id),
                notes=row["notes"],
                status=row["status"],
            )
    return acts


def get(act_id: str) -> CatalogueAct | None:
    return load().get(act_id)


@cache
def default_for_key(key: str) -> CatalogueAct | None:
    """The catalogue act of a forfait key that has only one (BSB, TLS…)."""
    if key not in EURO_FORFAITS:
        return None
    matches = [act for act in load().values() if act.key == key]
    return matches[0] if len(matches) == 1 else None


# ------------------------------------------------------------------ search


def fold(text: str) -> str:
    """Lower case, accents removed, œ/æ spelled out."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_WORD_RE = re.compile(r"[a-z0-9]+")
_NUMBER_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
_KEY_NUMBER_RE = re.compile(r"^([a-z]{2,3})(\d+(?:[.,]\d+)?)$")
_FOLDED_KEYS = {k.lower(): k for k in KEYS}


@dataclass(frozen=True, slots=True)
class _Indexed:
    act: CatalogueAct
    words: tuple[str, ...]
    haystack: str


# Article headings of Titre XVI (paraphrased), searched with the designation.
ARTICLE_HEADINGS = {
    ("I", "1"): "injections et prélèvements",
    ("I", "2"): "pansements courants",
    ("I", "3"): "pansements lourds et complexes",
    ("I", "4"): "sondes et alimentation entérale",
    ("I", "5"): "appareil respiratoire",
    ("I", "6"): "appareil génito-urinaire",
    ("I", "7"): "appareil digestif",
    ("I", "8"): "enveloppe cutanée",
    ("I", "10"): "surveillance et observation traitement",
    ("I", "11"): "séances de soins infirmiers dépendance",
    ("I", "12"): "bilan de soins infirmiers BSI dépendance forfait",
    ("I", "13"): "garde à domicile",
    ("II", "1"): "cathéter entretien",
    ("II", "2"): "injections cathéter",
    ("II", "3"): "perfusions",
    ("II", "4"): "patient immunodéprimé ou cancéreux chimiothérapie",
    ("II", "5"): "mucoviscidose",
    ("II", "5bis"): "patient diabétique insulino-traité insuline",
    ("II", "5ter"): "insuffisance cardiaque BPCO",
    ("II", "6"): "dialyse stomie",
    ("II", "7"): "post-opératoire chirurgie ambulatoire RAAC",
}


@cache
def _index() -> tuple[_Indexed, ...]:
    out = []
    for act in load().values():
        heading = ARTICLE_HEADINGS.get((act.chapter, act.article), "")
        text = fold(f"{act.designation} {heading}")
        words = tuple(_WORD_RE.findall(text))
        out.append(_Indexed(act, words, " ".join(words)))
    return tuple(out)


def search(query: str, limit: int | None = 50) -> list[CatalogueAct]:
    """Acts matching every term of the query.

    A term is a catalogue id (or its prefix, "XVI-1-3"), a letter key ("AMI"),
    a coefficient ("4", "4,5", "4.5"), a key glued to its coefficient ("AMI4"),
    or a word: each word must start a word of the designation, accents and case
    ignored ("panse lourd", "ulcere"). Results keep the catalogue order
    (chapter, article) after exact id matches.
    """
    raw = (query or "").strip()
    if not raw:
        return list(load().values())[:limit] if limit else list(load().values())
    acts = load()
    upper = raw.upper()
    if upper in acts:
        return [acts[upper]]
    id_prefix = upper if upper.startswith("XVI-") else None

    keys: set[str] = set()
    coefficients: set[Decimal] = set()
    words: list[str] = []
    # Keep "4,5" / "4.5" together before splitting into words.
    for token in re.split(r"[\s;/]+", fold(raw)):
        token = token.strip(" ()'\"")
        if not token:
            continue
        if token.upper().startswith("XVI-"):
            continue
        if token in _FOLDED_KEYS:
            keys.add(_FOLDED_KEYS[token])
            continue
        match = _KEY_NUMBER_RE.match(token)
        if match and match.group(1) in _FOLDED_KEYS:
            keys.add(_FOLDED_KEYS[match.group(1)])
            coefficients.add(Decimal(match.group(2).replace(",", ".")))
            continue
        if _NUMBER_RE.match(token):
            coefficients.add(Decimal(token.replace(",", ".")))
            continue
        words.extend(_WORD_RE.findall(token))

    results = []
    for entry in _index():
        act = entry.act
        if id_prefix and not act.id.startswith(id_prefix):
            continue
        if keys and act.key not in keys and not ("AMX" in keys and act.key == "AMI"):
            continue
        if coefficients and (act.key in EURO_FORFAITS or act.coefficient not in coefficients):
            continue
        if words and not all(any(w.startswith(term) for w in entry.words) for term in words):
            continue
        results.append(act)
        if limit and len(results) >= limit:
            break
    return results
