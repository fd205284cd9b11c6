"""A test-only document kind: a letter about a `core.User` with names, dates
and amounts, rendered with the documents app's generic letter template.
Registered in the test process by the `letter_kind` fixture and in real
worker processes by `tests.documents.worker_app`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.models import Role
from documents.registry import DocumentKind, register

LETTER = "test_lettre"
BROKEN = "test_casse"


def letter_context(user) -> dict:
    return {
        "recipient": {"name": user.get_full_name(), "lines": ["12 rue des Lilas", "37000 Tours"]},
        "subject": "Relevé d'essai",
        "date": dt.date(2026, 3, 1),
        "greeting": f"Bonjour {user.first_name},",
        "paragraphs": [
            f"Voici le relevé de {user.get_full_name()} pour la période du 02/03/2026 au 31/03/2026 : "
            "il reprend les montants dus.",
        ],
        "table": {
            "columns": ["Libellé", "Montant"],
            "amount_columns": [1],
            "rows": [["Honoraires de soins", Decimal("1234.50")], ["Indemnités", Decimal("87.20")]],
            "total": Decimal("1321.70"),
        },
        "closing": "Bien cordialement,",
        "signature": "Le cabinet",
    }


def can_view(user, obj) -> bool:
    return user.pk == obj.pk or user.role == Role.TITULAIRE


KINDS = [
    DocumentKind(
        code=LETTER, label="Lettre d'essai", model="core.User",
        template="documents/pdf/generic_letter.html", version="1",
        build_context=letter_context, can_view=can_view,
        patient_id=lambda user: 424242,
        filename=lambda data: "lettre-essai.pdf",
    ),
    DocumentKind(
        code=BROKEN, label="Lettre au modèle absent", model="core.User",
        template="documents/pdf/does_not_exist.html", version="1",
        build_context=letter_context, can_view=can_view,
    ),
]


def register_all() -> None:
    for kind in KINDS:
        register(kind, replace=True)
