from tests.access.policy import UrlPolicy, by_role

from .entry_helpers import an_entry

STAFF_ONLY = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)
# The act entry: the secretary and the titulaires (issue 12).
ENTRY = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)
# An entered séance billed under claire: the other titulaires do not see it.
ENTRY_OBJ = by_role(titulaire=404, remplacant=403, secretaire=200, admin=403, claire=200)
ENTRY_CANCEL = by_role(titulaire=404, remplacant=403, secretaire=302, admin=403, claire=302)

_entry = lambda p: {"pk": an_entry().pk}  # noqa: E731
BILLERS = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)


def _claire_invoice_performed_by_julie(personas) -> dict:
    """A validated invoice billed by Claire for care Julie (her remplaçante)
    performed (demo data, billing/demo.py)."""
    from billing.models import Invoice

    invoice = (Invoice.objects.filter(nurse=personas.claire,
                                      links__seance__performed_by=personas.julie)
               .order_by("pk").first())
    return {"pk": invoice.pk}


def _with_seance(personas) -> dict:
    from billing.models import InvoiceSeance

    pk = _claire_invoice_performed_by_julie(personas)["pk"]
    return {"pk": pk,
            "seance_pk": InvoiceSeance.objects.filter(invoice_id=pk).values_list(
                "seance_id", flat=True).first()}


def _marc_batch(personas) -> dict:
    from billing.models import ExportBatch

    return {"pk": ExportBatch.objects.filter(nurse=personas.marc).order_by("pk").first().pk}


# Claire's invoice: Claire, Julie (who performed it) and Nadia see it; the
# other titulaires get 404; the remplaçante may not act on it (403).
CLAIRE_INVOICE = by_role(titulaire=404, remplacant=200, secretaire=200, admin=403, claire=200)
# A POST on a validated invoice is refused with a message and a redirect.
CLAIRE_INVOICE_POST = by_role(titulaire=404, remplacant=403, secretaire=302, admin=403,
                              claire=302)
MARC_BATCH = by_role(titulaire=404, remplacant=403, secretaire=200, admin=403, marc=200)
MARC_BATCH_POST = by_role(titulaire=404, remplacant=403, secretaire=302, admin=403, marc=302)

POLICIES = {
    "billing:catalogue": UrlPolicy(STAFF_ONLY),
    "billing:quote": UrlPolicy(STAFF_ONLY),
    "billing:rules": UrlPolicy(STAFF_ONLY),
    "billing:entry": UrlPolicy(ENTRY),
    "billing:entry_preview": UrlPolicy(ENTRY, method="post"),
    "billing:entry_patients": UrlPolicy(ENTRY, data={"patient": "dur"}),
    "billing:entry_acts": UrlPolicy(ENTRY, data={"acts-0-act": "AMI 4"}),
    "billing:entry_edit": UrlPolicy(ENTRY_OBJ, kwargs=_entry),
    "billing:entry_cancel": UrlPolicy(ENTRY_CANCEL, kwargs=_entry, method="post"),
    "billing:invoice_list": UrlPolicy(STAFF_ONLY),
    "billing:invoice_new": UrlPolicy(BILLERS),
    "billing:invoice_validate_many": UrlPolicy(
        by_role(titulaire=302, remplacant=403, secretaire=302, admin=403), method="post"),
    "billing:invoice_detail": UrlPolicy(CLAIRE_INVOICE, kwargs=_claire_invoice_performed_by_julie),
    "billing:invoice_validate": UrlPolicy(CLAIRE_INVOICE_POST, method="post",
                                          kwargs=_claire_invoice_performed_by_julie),
    "billing:invoice_acknowledge": UrlPolicy(CLAIRE_INVOICE_POST, method="post",
                                             kwargs=_claire_invoice_performed_by_julie),
    "billing:invoice_remove_seance": UrlPolicy(CLAIRE_INVOICE_POST, method="post",
                                               kwargs=_with_seance),
    "billing:invoice_delete": UrlPolicy(CLAIRE_INVOICE_POST, method="post",
                                        kwargs=_claire_invoice_performed_by_julie),
    "billing:invoice_credit_note": UrlPolicy(CLAIRE_INVOICE_POST, method="post",
                                             kwargs=_claire_invoice_performed_by_julie),
    "billing:audit_worklist": UrlPolicy(STAFF_ONLY),
    "billing:export_list": UrlPolicy(BILLERS),
    "billing:export_download": UrlPolicy(MARC_BATCH, kwargs=_marc_batch),
    "billing:export_transmit": UrlPolicy(MARC_BATCH_POST, method="post", kwargs=_marc_batch),
}
