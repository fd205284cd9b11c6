"""Role-by-URL policy of the replacements app (S-AUTHZ-4, R-REPL-43). Objects come from
the demo data: Claire's current contract with Julie (signed), Julie's profile and its
autorisation. Marc and Sophie, other titulaires, see nothing of it (404); the secretary
prepares contracts and records payments but never sees a remplaçant's profile; the
administrator sees nothing."""

from tests.access.policy import UrlPolicy, by_role

NOTHING_FOR_ADMIN = dict(admin=403)


def _contract(p):
    from replacements.models import Contract

    # The demo's current contract (whatever a crawl did to its lifecycle meanwhile).
    return Contract.objects.filter(titulaire=p.claire, remplacant=p.julie, parent__isnull=True).exclude(
        status="brouillon").order_by("-start_at").first()


def _pk(p):
    return {"pk": _contract(p).pk}


def _autorisation(p):
    import datetime as dt

    from replacements.models import Autorisation

    # A crawl deletes it as julie: the next persona gets a fresh one.
    found = Autorisation.objects.filter(profile__user=p.julie).first() or Autorisation.objects.create(
        profile=p.julie.remplacant_profile, number="TEST", issued_on=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    return {"kind": "autorisation", "pk": found.pk}


# A contract's page: its two parties and the secretary; other titulaires get 404.
CONTRACT_READ = by_role(titulaire=200, remplacant=200, secretaire=200, admin=403, marc=404, sophie=404)
# A change: the titulaire of the contract and the secretary; the remplaçante reads only (403).
CONTRACT_WRITE = by_role(titulaire=302, remplacant=403, secretaire=302, admin=403, marc=404, sophie=404)
# A PDF request: whoever reads the contract.
CONTRACT_PDF = by_role(titulaire=302, remplacant=302, secretaire=302, admin=403, marc=404, sophie=404)
ONLY_REMPLACANT = by_role(titulaire=403, remplacant=200, secretaire=403, admin=403)

POLICIES = {
    "replacements:home": UrlPolicy(by_role(titulaire=200, remplacant=200, secretaire=200, admin=403)),
    "replacements:profile": UrlPolicy(ONLY_REMPLACANT),
    "replacements:credential_add": UrlPolicy(
        by_role(titulaire=403, remplacant=400, secretaire=403, admin=403),
        kwargs=lambda p: {"kind": "experience"}, method="post"),
    "replacements:credential_delete": UrlPolicy(
        by_role(titulaire=403, remplacant=302, secretaire=403, admin=403),
        kwargs=_autorisation, method="post"),
    # Only a titulaire who has a contract with the remplaçante sees her profile.
    "replacements:profile_detail": UrlPolicy(
        by_role(titulaire=200, remplacant=403, secretaire=403, admin=403, marc=404, sophie=404),
        kwargs=lambda p: {"user_id": p.julie.pk}),
    "replacements:titulaire_status": UrlPolicy(by_role(titulaire=200, remplacant=403, secretaire=403, admin=403)),
    "replacements:my_retrocession": UrlPolicy(ONLY_REMPLACANT),
    "replacements:contract_create": UrlPolicy(by_role(titulaire=200, remplacant=403, secretaire=200, admin=403)),
    "replacements:contract_detail": UrlPolicy(CONTRACT_READ, kwargs=_pk),
    # A signed contract is never edited: its edit page sends back to the contract.
    "replacements:contract_edit": UrlPolicy(CONTRACT_WRITE, kwargs=_pk),
    "replacements:contract_delete": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_sign": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_handover": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_transmission": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_close": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_avenant": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:payment_add": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:patient_letters": UrlPolicy(CONTRACT_WRITE, kwargs=_pk, method="post"),
    "replacements:contract_statement": UrlPolicy(CONTRACT_READ, kwargs=_pk),
    "replacements:statement_pdf": UrlPolicy(CONTRACT_PDF, kwargs=_pk, method="post"),
    "replacements:contract_pdf": UrlPolicy(CONTRACT_PDF, kwargs=lambda p: {**_pk(p), "kind": "contrat"},
                                           method="post"),
}
