"""S-DATA-2 for the replacement records: a contract, a remplaçant's profile or
a titulaire's situation changed by a POST that does not say which version it
was opened on (or names a forged one) is refused like a stale edit, and the
record is left as it was. Signing, transmitting and closing a contract too."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from replacements.models import Contract, RemplacantProfile, TitulaireStatus
from tests.security.test_s_data_2_concurrent_saves import page_data

from .conftest import MONTH, make_contract

pytestmark = pytest.mark.django_db

REFUSAL = "modifiée par quelqu'un d'autre"
FORGED = [None, "", "abc", "0", "7", "99999999999999999999"]


def _with(data: dict, version) -> dict:
    data = {k: v for k, v in data.items() if k != "row_version"}
    if version is not None:
        data["row_version"] = version
    return data


def _snapshot(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("updated_at", None)
    return row


def _refused(response) -> bool:
    return REFUSAL in unescape(response.content.decode())


@pytest.mark.parametrize("version", FORGED)
def test_s_data_2_a_draft_contract_edit_without_its_version_is_refused(parties, client, version):
    tit, rem = parties
    contract = make_contract(tit, rem, sign=False)
    client.force_login(tit)
    url = reverse("replacements:contract_edit", args=[contract.pk])
    data = page_data(client.get(url))
    data["motif"] = "changé sans version"
    before = _snapshot(Contract, contract.pk)
    assert _refused(client.post(url, _with(data, version), follow=True))
    assert _snapshot(Contract, contract.pk) == before


@pytest.mark.parametrize("version", FORGED)
def test_s_data_2_signing_transmitting_or_closing_without_the_version_is_refused(
        parties, client, version):
    tit, rem = parties
    draft = make_contract(tit, rem, sign=False)
    signed = make_contract(tit, rem, start=MONTH + dt.timedelta(days=60), days=10)
    client.force_login(tit)
    posts = [
        (draft, "replacements:contract_sign", {
            "signed_by_titulaire_at": "2026-02-20T10:00", "signed_by_remplacant_at": "2026-02-20T10:00",
            "sworn_titulaire": "on", "sworn_remplacant": "on"}),
        (signed, "replacements:contract_transmission", {"sent_to_cdoi_titulaire_on": "2026-04-20"}),
        (signed, "replacements:contract_close", {"terminate": "1", "on": "2026-05-02",
                                                  "reason": "retour anticipé"}),
    ]
    for contract, name, data in posts:
        before = _snapshot(Contract, contract.pk)
        response = client.post(reverse(name, args=[contract.pk]), _with(data, version), follow=True)
        assert _refused(response), name
        assert _snapshot(Contract, contract.pk) == before, name


@pytest.mark.parametrize("version", FORGED)
def test_s_data_2_a_profile_or_situation_saved_without_its_version_is_refused(
        parties, client, version):
    tit, rem = parties
    client.force_login(rem)
    url = reverse("replacements:profile")
    data = page_data(client.get(url))
    data.update(ordre_number="37-99", rcp_valid_from="2025-01-01")
    profile = RemplacantProfile.objects.get(user=rem)
    before = _snapshot(RemplacantProfile, profile.pk)
    assert _refused(client.post(url, _with(data, version), follow=True))
    assert _snapshot(RemplacantProfile, profile.pk) == before

    client.force_login(tit)
    url = reverse("replacements:titulaire_status")
    data = page_data(client.get(url))
    data["st-conventionne"] = ""
    status = TitulaireStatus.objects.get(user=tit)
    before = _snapshot(TitulaireStatus, status.pk)
    assert _refused(client.post(url, _with(data, version), follow=True))
    assert _snapshot(TitulaireStatus, status.pk) == before


def test_s_data_2_the_contract_page_sends_the_version_it_shows(parties, client):
    tit, rem = parties
    contract = make_contract(tit, rem, sign=False)
    Contract.objects.filter(pk=contract.pk).update(row_version=1234)
    client.force_login(tit)
    page = client.get(reverse("replacements:contract_detail", args=[contract.pk])).content.decode()
    assert 'name="row_version" value="1234"' in page and "1 234" not in page
