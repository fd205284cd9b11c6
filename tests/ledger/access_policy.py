from tests.access.policy import UrlPolicy, by_role

from .demo_objects import claire_invoice, claire_payment

# Payments, outstanding amounts, the ledger and its exports (PAY-*, LED-*).
# The secrétaire sees every billing nurse, a titulaire her own (another
# titulaire's objects are 404), the remplaçante only her performed acts (her
# own ledger; the payment pages are not hers: 403), the administrator nothing.
_BILLERS = by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)
_CLAIRES = by_role(titulaire=200, remplacant=404, secretaire=200, admin=403,
                   marc=404, sophie=404)
_nurse_month = lambda p: {"nurse_id": p.claire.pk, "year": 2026, "month": 6}  # noqa: E731
_nurse_year = lambda p: {"nurse_id": p.claire.pk, "year": 2026}  # noqa: E731

POLICIES = {
    "billing:payment_list": UrlPolicy(_BILLERS),
    "billing:payment_new": UrlPolicy(_BILLERS),
    "billing:statement": UrlPolicy(_BILLERS),
    "billing:payment_detail": UrlPolicy(
        by_role(titulaire=200, remplacant=403, secretaire=200, admin=403, marc=404, sophie=404),
        kwargs=lambda p: {"pk": claire_payment().pk}),
    "billing:payment_cancel": UrlPolicy(
        by_role(titulaire=400, remplacant=403, secretaire=400, admin=403, marc=404, sophie=404),
        kwargs=lambda p: {"pk": claire_payment().pk}, method="post"),
    "billing:reject_new": UrlPolicy(
        by_role(titulaire=200, remplacant=404, secretaire=200, admin=403, marc=404, sophie=404),
        kwargs=lambda p: {"pk": claire_invoice().pk}),
    "billing:outstanding": UrlPolicy(_BILLERS),
    "billing:outstanding_list": UrlPolicy(_BILLERS),
    "billing:ledger": UrlPolicy(by_role(titulaire=200, remplacant=200, secretaire=200,
                                        admin=403)),
    "billing:ledger_month": UrlPolicy(_CLAIRES, kwargs=_nurse_month),
    "billing:ledger_year": UrlPolicy(_CLAIRES, kwargs=_nurse_year),
    "billing:ledger_export": UrlPolicy(
        _CLAIRES, kwargs=lambda p: {"nurse_id": p.claire.pk, "period": "2026-06",
                                    "what": "recettes"}),
    "billing:summary_pdf": UrlPolicy(
        by_role(titulaire=302, remplacant=403, secretaire=302, admin=403, marc=404, sophie=404),
        kwargs=_nurse_year, method="post"),
}
