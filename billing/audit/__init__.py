"""The pre-send audit (docs/domain/facturation.md, AUD-1…11): pure Python,
no ORM. The `invoice_audit` command and the invoice pages build the same
`AuditInput` and call the same `run_audit`.

    from billing.audit import AuditInput, run_audit
"""

from .checks import run_audit
from .model import (
    AuditInput,
    AuditResult,
    BilledLine,
    Finding,
    PatientInfo,
    PrescribedAct,
    PrescriptionInfo,
    SeanceInfo,
    TourneeInfo,
)

__all__ = [
    "AuditInput",
    "AuditResult",
    "BilledLine",
    "Finding",
    "PatientInfo",
    "PrescribedAct",
    "PrescriptionInfo",
    "SeanceInfo",
    "TourneeInfo",
    "run_audit",
]
