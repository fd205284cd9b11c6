"""Identifier and upload checks (R-ID-1 … R-ID-5, S-DATA-4). Plain Python: no ORM.

Each check returns French messages; forms put errors at the field and show
warnings (the UNCERTAIN cases of the rules) after saving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

RPPS_RE = re.compile(r"^\d{11}$")
NIR_RE = re.compile(r"^\d{3}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)\d{8}$")


@dataclass
class Check:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def compact_nir(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def check_nir(value: str, *, birth_date: date | None = None, sex: str | None = None) -> Check:
    """R-ID-5: 13 characters + 2-digit key (97 − N mod 97, Corsica 2A→19, 2B→18),
    consistent with the birth year, month and sex. Provisional numbers (7/8) and
    special month codes (20–42, 50+) are accepted with a warning (UNCERTAIN)."""
    result = Check()
    nir = compact_nir(value)
    if not nir:
        return result
    if len(nir) != 15:
        result.errors.append(
            f"Le NIR doit compter 15 caractères (13 + clé de 2 chiffres) : {len(nir)} saisis."
        )
        return result
    if not NIR_RE.match(nir):
        result.errors.append(
            "NIR mal formé : sexe (1 chiffre), année, mois, département (2 chiffres, 2A ou 2B), "
            "commune, ordre et clé."
        )
        return result
    try:
        stdnum_nir.validate(nir)
    except StdnumError:
        result.errors.append("Clé du NIR incorrecte : vérifiez le numéro sur la carte Vitale.")
        return result

    sex_digit = nir[0]
    provisional = sex_digit in "78"
    if provisional:
        result.warnings.append(
            "NIR provisoire (commençant par 7 ou 8) : à remplacer par le NIR définitif."
        )
    elif sex_digit not in "12":
        result.errors.append(
            "Le NIR commence par 1 (homme) ou 2 (femme), ou par 7 ou 8 pour un numéro provisoire."
        )
        return result
    elif sex:
        expected = "1" if sex == "M" else "2"
        if sex_digit != expected:
            result.errors.append(
                "Le NIR ne correspond pas au sexe saisi (1 = homme, 2 = femme)."
            )
    month = int(nir[3:5])
    special_month = month > 12 or month == 0
    if special_month:
        result.warnings.append(
            "Mois de naissance codé spécialement dans le NIR (20–42 ou 50 et plus) : "
            "cohérence avec la date de naissance non vérifiée."
        )
    if birth_date is not None:
        # The layout of a provisional number is UNCERTAIN (R-ID-5): a mismatch
        # with the birth date is only a warning there.
        mismatches = result.warnings if provisional else result.errors
        if nir[1:3] != f"{birth_date.year % 100:02d}":
            mismatches.append(
                f"L'année de naissance du NIR ({nir[1:3]}) ne correspond pas à la date de "
                f"naissance ({birth_date:%Y})."
            )
        if not special_month and month != birth_date.month:
            mismatches.append(
                f"Le mois de naissance du NIR ({nir[3:5]}) ne correspond pas à la date de "
                f"naissance ({birth_date:%m})."
            )
    return result


def check_rpps(value: str) -> Check:
    """R-ID-1: 11 digits (error). R-ID-2: Luhn key over the 11 digits (UNCERTAIN,
    so a failed key is a warning the user may confirm)."""
    result = Check()
    rpps = re.sub(r"\s", "", value or "")
    if not rpps:
        return result
    if not RPPS_RE.match(rpps):
        result.errors.append(f"Le n° RPPS compte 11 chiffres ({len(rpps)} caractères saisis).")
        return result
    if not luhn.is_valid(rpps):
        result.warnings.append(
            "La clé du n° RPPS (algorithme de Luhn) ne correspond pas : vérifiez le numéro."
        )
    return result


def id_nat_ps(rpps: str) -> str:
    """R-ID-3: the ANS national identifier is "8" + RPPS."""
    return f"8{rpps}" if rpps else ""


# --------------------------------------------------------------- uploads

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


def check_upload(name: str, size: int, head: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Check:
    """S-DATA-4: PDF or JPEG only, recognised by their first bytes (magic
    numbers) and their extension; at most `max_bytes`."""
    result = Check()
    if size > max_bytes:
        result.errors.append(
            f"Fichier trop volumineux ({size / 1024 / 1024:.1f} Mo) : "
            f"{max_bytes // (1024 * 1024)} Mo au maximum."
        )
        return result
    if size == 0:
        result.errors.append("Le fichier est vide.")
        return result
    lower = (name or "").lower()
    for magic, extensions in UPLOAD_TYPES.values():
        if head.startswith(magic):
            if not lower.endswith(extensions):
                result.errors.append(
                    "L'extension du fichier ne correspond pas à son contenu (PDF ou JPEG)."
                )
            return result
    result.errors.append("Type de fichier refusé : seuls les PDF et les images JPEG sont acceptés.")
    return result


def sniff_content_type(head: bytes) -> str | None:
    for content_type, (magic, _) in UPLOAD_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None
