"""The contract pages: a draft written in the form, the rules shown with their id and
French sentence, the signature refused by a rule, then accepted; the profile's warnings."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from replacements.models import Contract, ContractStatus, Unavailability

from .conftest import MONTH


def _form(tit, rem, **over):
    unav = Unavailability.objects.create(titulaire=tit, kind="maladie", start=MONTH,
                                         end=MONTH + dt.timedelta(days=9))
    data = {
        "titulaire": tit.pk, "remplacant": rem.pk, "unavailability": unav.pk, "motif": "arrêt maladie",
        "start_at": "2026-03-01T07:00", "end_at": "2026-03-10T20:00", "place": "cabinet_titulaire",
        "means_premises": "on", "means_software": "on", "cabinet_share_percent": "8",
        "travel_to_remplacant": "on", "basis": "billed", "bad_debt_borne_by": "titulaire",
        "payment_method": "virement", "payment_schedule": "le 10 du mois suivant",
        "notice_days": "8", "early_termination_terms": "Préavis de 8 jours.",
        "coordination": "Transmissions écrites.", "occasional": "on",
    }
    data.update(over)
    return data


def test_titulaire_writes_a_draft_and_sees_the_rules(parties, client):
    tit, rem = parties
    client.force_login(tit)
    response = client.post(reverse("replacements:contract_create"), _form(tit, rem, end_at="2026-03-15T20:00"))
    assert response.status_code == 302
    contract = Contract.objects.get(titulaire=tit)
    assert contract.status == ContractStatus.DRAFT and contract.created_by == tit
    page = client.get(reverse("replacements:contract_detail", args=[contract.pk])).content.decode()
    # Outside the unavailability (11–15 March): the rule id and its sentence.
    assert "R-REPL-3" in page and "11/03/2026 au 15/03/2026" in page
    response = client.post(reverse("replacements:contract_sign", args=[contract.pk]), {
        "signed_by_titulaire_at": "2026-02-20T10:00", "signed_by_remplacant_at": "2026-02-20T10:00",
        "row_version": contract.row_version}, follow=True)
    assert "R-REPL-3" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    # Corrected within the draft, then signed.
    data = _form(tit, rem, row_version=contract.row_version)
    data["unavailability"] = contract.unavailability_id
    assert client.post(reverse("replacements:contract_edit", args=[contract.pk]), data).status_code == 302
    contract.refresh_from_db()
    client.post(reverse("replacements:contract_sign", args=[contract.pk]), {
        "signed_by_titulaire_at": "2026-02-20T10:00", "signed_by_remplacant_at": "2026-02-20T10:00",
        "sworn_titulaire": "on", "sworn_remplacant": "on", "row_version": contract.row_version})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    # Never edited afterwards: the edit page sends back to the contract.
    response = client.get(reverse("replacements:contract_edit", args=[contract.pk]), follow=True)
    assert "avenant" in response.content.decode()


def test_form_refuses_implausible_dates_at_the_field(parties, client):
    tit, rem = parties
    client.force_login(tit)
    response = client.post(reverse("replacements:contract_create"),
                           _form(tit, rem, start_at="1900-01-01T07:00", end_at="9999-12-31T20:00"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "start_at" in form.errors and "end_at" in form.errors
    assert not Contract.objects.filter(titulaire=tit).exists()


def test_remplacante_cannot_write_a_contract(contract, client):
    client.force_login(contract.remplacant)
    assert client.get(reverse("replacements:contract_create")).status_code == 403
    assert client.post(reverse("replacements:contract_avenant", args=[contract.pk])).status_code == 403
    assert client.get(reverse("replacements:contract_detail", args=[contract.pk])).status_code == 200


def test_profile_page_lists_missing_items_with_deadlines(parties, client):
    _tit, rem = parties
    client.force_login(rem)
    page = client.get(reverse("replacements:profile")).content.decode()
    assert "Dossier complet" in page or "R-REPL-16" in page
    response = client.post(reverse("replacements:profile"), {
        "ordre_status": "inscrit", "rpps": "10003456780", "siret": "12345678901234",
        "row_version": rem.remplacant_profile.row_version})
    assert response.status_code == 200
    form = response.context["form"]
    assert "siret" in form.errors and "rpps" not in form.errors  # R-ID-2: Luhn is a warning only
    response = client.post(reverse("replacements:profile"), {
        "ordre_status": "inscrit", "rpps": "1000345", "row_version": rem.remplacant_profile.row_version})
    assert "rpps" in response.context["form"].errors
