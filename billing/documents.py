"""The billing documents, listed in one place as the other apps list theirs: the invoice
(for the patient or the AMC) and the accountant's yearly summary (LED-3). What each one
holds and who may see it stays beside its own models (`invoicing.documents`,
`payments.documents`)."""

from __future__ import annotations


def kinds() -> list:
    from documents.registry import DocumentKind

    from .invoicing import documents as invoice
    from .payments import documents as summary

    return [
        DocumentKind(
            code=invoice.INVOICE_KIND, label="Facture de soins infirmiers",
            model="billing.Invoice", template=invoice.TEMPLATE, version="1",
            build_context=invoice.invoice_context, can_view=invoice.can_view_invoice,
            can_request=invoice.can_request_invoice, patient_id=lambda inv: inv.patient_id,
            filename=lambda data: f"facture-{data['number']}.pdf",
            demo_object=invoice.demo_invoice,
        ),
        DocumentKind(
            code=summary.SUMMARY_KIND, label="Synthèse annuelle des recettes",
            model="billing.AnnualSummary", template=summary.TEMPLATE, version="1",
            build_context=summary.summary_context, can_view=summary.can_view_summary,
            filename=lambda data: f"synthese-recettes-{data['year']}.pdf",
            demo_object=summary.demo_summary,
        ),
    ]
