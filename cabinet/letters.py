"""Letters the cabinet app produces through the documents pipeline, when that
app provides its registry (`documents.registry`):

- "demande de renouvellement d'ordonnance", to the prescriber, from the
  renewal worklist;
- "lettre d'information aux patients" (e.g. a remplacement), one per patient,
  batch-capable.
"""

from __future__ import annotations

RENEWAL_KIND = "cabinet_renouvellement_ordonnance"
PATIENT_LETTER_KIND = "cabinet_information_patient"


def registered(code: str) -> bool:
    try:
        from documents.registry import UnknownKind, get
    except ImportError:
        return False
    try:
        get(code)
    except UnknownKind:
        return False
    return True
