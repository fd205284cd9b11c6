from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.access import STAFF, roles

from ..forms.patients import AldForm
from ..models import Ald
from ..services.patients import save_ald
from .common import (
    _get_ald_for_user,
    _get_patient_for_user,
    stored_file_response,
    versioned_form_page,
)


def _form_view(request, patient, ald: Ald) -> HttpResponse:
    form = AldForm(request.POST or None, request.FILES or None, instance=ald)

    def saved(result) -> HttpResponse:
        for warning in (*form.warnings, *result.status.warnings):
            messages.warning(request, warning)
        messages.success(request, f"{result} enregistrée.")
        return redirect("cabinet:patient_detail", pk=patient.pk)

    return versioned_form_page(
        request, "cabinet/ald_form.html", {"patient": patient, "ald": ald if ald.pk else None},
        form=form, on_saved=saved,
        save=lambda: save_ald(acting_user=request.user, ald=form.save(commit=False),
                              expected_version=form.expected_version),
    )


@roles(*STAFF)
def ald_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _get_patient_for_user(request.user, patient_pk, related=("medecin_traitant",),
                                    edit_alds=True)
    return _form_view(request, patient, Ald(patient=patient))


@roles(*STAFF)
def ald_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ald = _get_ald_for_user(request.user, pk, edit=True)
    return _form_view(request, ald.patient, ald)


@roles(*STAFF)
def ald_volet(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan of the patient's volet 3 (S-TRACE-1: every display is logged)."""
    ald = _get_ald_for_user(request.user, pk)
    return stored_file_response(request, ald, ald.volet_scan,
                                download_name=f"ald-{ald.pk}-volet3")
