"""Prescriptions and their renewal requests."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core import audit
from core.versioning import lock_version, next_version

from ..models import Prescription
from .careplans import generate_visits


@transaction.atomic
def save_prescription(*, acting_user, prescription: Prescription, formset,
                      expected_version: int | None = None) -> Prescription:
    """Save the prescription and its acts (an inline formset) together; the
    care plans built on it follow (their visits carry the acts). An update
    refuses a stale form before anything is written (S-DATA-2)."""
    created = prescription.pk is None
    previous_file = ""
    if not created:
        stored = lock_version(Prescription, prescription.pk, expected_version)
        next_version(prescription, stored)
        previous_file = stored.file.name or ""
    prescription.save()
    formset.instance = prescription
    formset.save()
    replaced = {}
    if previous_file and previous_file != prescription.file.name:
        # S-DATA-3 / S-TRACE-2: a replaced scan is kept on purpose (it is what
        # the earlier version of the prescription referred to), named in the
        # version history; it stays in MEDIA_ROOT and in every backup.
        replaced = {"previous_file": previous_file, "file": prescription.file.name}
    audit.record(
        actor=acting_user, action="prescription.create" if created else "prescription.update",
        obj=prescription, patient_id=prescription.patient_id, **replaced,
    )
    if not created:
        for plan in prescription.care_plans.filter(active=True):
            generate_visits(acting_user=acting_user, care_plan=plan)
    return prescription


def bizone_warnings(prescription: Prescription) -> list[str]:
    """R-ALD-12 / R-ALD-13: only the upper zone of a bizone prescription opens
    the exemption, and only with an ALD valid on the date of care; a mismatch
    is worth a word to the nurse, not a refusal (the ALD may be on its way)."""
    covered = any(
        ald.covers_care_on(prescription.start_date) for ald in prescription.patient.alds.all()
    )
    if prescription.bizone and not covered:
        return ["Ordonnance bizone, mais aucune ALD exonérante valide au début des soins : les "
                "actes en zone haute seront facturés au taux habituel (R-ALD-13)."]
    if not prescription.bizone and covered:
        return ["Patient en ALD mais ordonnance simple : ses actes sont facturés au taux "
                "habituel ; pour les soins en rapport avec l'ALD, demandez une ordonnance "
                "bizone (R-ALD-12)."]
    return []


@transaction.atomic
def request_renewal(*, acting_user, prescription: Prescription):
    """Record the renewal request; with the document pipeline, also ask for the
    letter to the prescriber and return it (else None)."""
    prescription.renewal_requested_at = timezone.now()
    # S-DATA-2: every save gives the next version (a form opened before the
    # request will not put the old request date back).
    stored = Prescription.objects.select_for_update().only("row_version").get(pk=prescription.pk)
    next_version(prescription, stored)
    prescription.save(update_fields=["renewal_requested_at", "updated_at", "row_version"])
    audit.record(actor=acting_user, action="prescription.renewal_request", obj=prescription,
                 patient_id=prescription.patient_id)
    from ..letters import RENEWAL_KIND, registered

    if not registered(RENEWAL_KIND):
        return None
    from documents.services import request_document

    return request_document(acting_user=acting_user, kind=RENEWAL_KIND, obj=prescription)
