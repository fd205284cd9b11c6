from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.access import STAFF, roles
from core.models import Role

from ..forms.careplans import CarePlanForm
from ..models import CarePlan
from ..services.careplans import save_care_plan, stop_care_plan
from .common import _get_care_plan_for_user, _get_prescription_for_user, versioned_form_page


def _form_view(request, prescription, plan: CarePlan) -> HttpResponse:
    form = CarePlanForm(request.POST or None, instance=plan, prescription=prescription)

    def saved(result) -> HttpResponse:
        for warning in form.warnings:
            messages.warning(request, warning)
        messages.success(request, f"Plan de soins enregistré : {result}.")
        return redirect("cabinet:patient_detail", pk=prescription.patient_id)

    return versioned_form_page(
        request, "cabinet/careplan_form.html",
        {"prescription": prescription, "patient": prescription.patient,
         "plan": plan if plan.pk else None},
        form=form, on_saved=saved,
        save=lambda: save_care_plan(acting_user=request.user, care_plan=form.save(commit=False),
                                    acts=list(form.cleaned_data["acts"]),
                                    expected_version=form.expected_version),
    )


@roles(*STAFF)
def careplan_create(request: HttpRequest, prescription_pk: int) -> HttpResponse:
    prescription = _get_prescription_for_user(request.user, prescription_pk)
    plan = CarePlan(prescription=prescription, patient=prescription.patient,
                    label=_default_label(prescription))
    if request.user.role != Role.SECRETAIRE:
        plan.nurse = request.user
    return _form_view(request, prescription, plan)


def _default_label(prescription) -> str:
    first = prescription.acts.first()
    return first.label[:160] if first else "Soins"


@roles(*STAFF)
def careplan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_care_plan_for_user(request.user, pk)
    return _form_view(request, plan.prescription, plan)


@roles(*STAFF)
@require_POST
def careplan_stop(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_care_plan_for_user(request.user, pk)
    result = stop_care_plan(acting_user=request.user, care_plan=plan)
    messages.success(request, f"Plan de soins arrêté : {result.deleted} passage(s) à venir "
                              "supprimé(s) ; les passages faits sont conservés.")
    return redirect("cabinet:patient_detail", pk=plan.patient_id)
