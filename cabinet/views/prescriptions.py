from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.access import STAFF, roles

from ..forms.prescriptions import ActFormSet, PrescriptionForm
from ..models import Prescription
from ..services.prescriptions import bizone_warnings, request_renewal, save_prescription
from .common import (
    _get_patient_for_user,
    _get_prescription_for_user,
    stored_file_response,
    versioned_form_page,
)


def _bizone(request, prescription: Prescription) -> bool:
    if request.method == "POST":
        return request.POST.get("bizone") in ("on", "true", "1")
    return prescription.bizone


def _form_view(request, patient, prescription: Prescription) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = PrescriptionForm(post, files, instance=prescription)
    formset = ActFormSet(post, instance=prescription, prefix="acts",
                         bizone=_bizone(request, prescription))

    def saved(result) -> HttpResponse:
        for warning in bizone_warnings(result):
            messages.warning(request, warning)
        messages.success(request, f"{result} enregistrée.")
        if not result.care_plans.exists():
            return redirect("cabinet:careplan_create", prescription_pk=result.pk)
        return redirect("cabinet:prescription_detail", pk=result.pk)

    return versioned_form_page(
        request, "cabinet/prescription_form.html",
        {"formset": formset, "patient": patient,
         "prescription": prescription if prescription.pk else None},
        form=form, formset=formset, on_saved=saved,
        save=lambda: save_prescription(acting_user=request.user,
                                       prescription=form.save(commit=False), formset=formset,
                                       expected_version=form.expected_version),
    )


@roles(*STAFF)
def prescription_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _get_patient_for_user(request.user, patient_pk)
    today = timezone.localdate()
    return _form_view(request, patient, Prescription(patient=patient, date=today,
                                                     start_date=today))


@roles(*STAFF)
def prescription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prescription = _get_prescription_for_user(request.user, pk)
    return _form_view(request, prescription.patient, prescription)


@roles(*STAFF)
def prescription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prescription = _get_prescription_for_user(request.user, pk)
    acts = list(prescription.acts.all())
    plans = list(prescription.care_plans.select_related("nurse").prefetch_related("acts"))
    audit.record_view(request, obj=prescription, patient_id=prescription.patient_id)
    return render(request, "cabinet/prescription_detail.html", {
        "prescription": prescription, "patient": prescription.patient, "acts": acts,
        "plans": plans,
    })


@roles(*STAFF)
def prescription_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The scanned prescription (S-DATA-4), each display logged (S-TRACE-1)."""
    prescription = _get_prescription_for_user(request.user, pk)
    return stored_file_response(request, prescription, prescription.file,
                                download_name=f"ordonnance-{pk}")


@roles(*STAFF)
@require_POST
def prescription_renewal(request: HttpRequest, pk: int) -> HttpResponse:
    prescription = _get_prescription_for_user(request.user, pk)
    document = request_renewal(acting_user=request.user, prescription=prescription)
    if document is not None:
        messages.success(request, "Lettre de demande de renouvellement en préparation.")
        return redirect("documents:detail", pk=document.pk)
    messages.success(request, f"Renouvellement demandé au Dr {prescription.prescriber.last_name}.")
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/")
                    and not request.POST.get("next", "").startswith("//")
                    else "cabinet:worklist")
