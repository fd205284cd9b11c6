from django.urls import path

from . import views, views_entry, views_invoices

app_name = "billing"

urlpatterns = [
    path("nomenclature/", views.catalogue_view, name="catalogue"),
    path("cotation/", views.quote_view, name="quote"),
    path("regles/", views.rules_view, name="rules"),
    path("saisie/", views_entry.entry_view, name="entry"),
    path("saisie/apercu/", views_entry.entry_preview, name="entry_preview"),
    path("saisie/patients/", views_entry.entry_patients, name="entry_patients"),
    path("saisie/actes/", views_entry.entry_acts, name="entry_acts"),
    path("saisie/<int:pk>/", views_entry.entry_edit, name="entry_edit"),
    path("saisie/<int:pk>/annuler/", views_entry.entry_cancel, name="entry_cancel"),
    path("factures/", views_invoices.invoice_list, name="invoice_list"),
    path("factures/nouvelle/", views_invoices.invoice_new, name="invoice_new"),
    path("factures/valider/", views_invoices.invoice_validate_many,
         name="invoice_validate_many"),
    path("factures/<int:pk>/", views_invoices.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/valider/", views_invoices.invoice_validate, name="invoice_validate"),
    path("factures/<int:pk>/accepter/", views_invoices.invoice_acknowledge,
         name="invoice_acknowledge"),
    path("factures/<int:pk>/retirer/<int:seance_pk>/", views_invoices.invoice_remove_seance,
         name="invoice_remove_seance"),
    path("factures/<int:pk>/supprimer/", views_invoices.invoice_delete, name="invoice_delete"),
    path("factures/<int:pk>/avoir/", views_invoices.invoice_credit_note,
         name="invoice_credit_note"),
    path("a-verifier/", views_invoices.audit_worklist, name="audit_worklist"),
    path("export-fse/", views_invoices.export_list, name="export_list"),
    path("export-fse/<int:pk>/", views_invoices.export_download, name="export_download"),
    path("export-fse/<int:pk>/transmis/", views_invoices.export_transmit, name="export_transmit"),
]

from . import views_ledger  # noqa: E402

urlpatterns += [
    path("paiements/", views_ledger.payment_list, name="payment_list"),
    path("paiements/nouveau/", views_ledger.payment_new, name="payment_new"),
    path("paiements/releve/", views_ledger.statement_import, name="statement"),
    path("paiements/<int:pk>/", views_ledger.payment_detail, name="payment_detail"),
    path("paiements/<int:pk>/annuler/", views_ledger.payment_cancel, name="payment_cancel"),
    path("factures/<int:pk>/rejet/", views_ledger.reject_new, name="reject_new"),
    path("impayes/", views_ledger.outstanding, name="outstanding"),
    path("impayes/factures/", views_ledger.outstanding_list, name="outstanding_list"),
    path("livre/", views_ledger.ledger_home, name="ledger"),
    path("livre/<int:nurse_id>/<int:year>/", views_ledger.ledger_year, name="ledger_year"),
    path("livre/<int:nurse_id>/<int:year>/<int:month>/", views_ledger.ledger_month,
         name="ledger_month"),
    path("livre/<int:nurse_id>/<str:period>/<slug:what>.csv", views_ledger.ledger_export,
         name="ledger_export"),
    path("livre/<int:nurse_id>/<int:year>/synthese.pdf", views_ledger.summary_pdf,
         name="summary_pdf"),
]
