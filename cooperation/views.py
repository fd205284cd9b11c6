"""Views of the cooperation app (French UI, mobile first). Each view declares its role
policy (core.access) and first calls the `_get_<object>_for_user()` of its object:
an object the user may not see is a 404, one she may see but not change is a 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.access import NURSES, OFFICE, STAFF, any_role, get_for_user, roles
from core.audit import record_reads, record_view
from core.figures import until_next_write
from core.models import Role

from . import catalogue, indicators, selectors, services
from .eligibility import Status, evaluate_all
from .forms import (
    AdhesionForm,
    AssessmentForm,
    ConsentForm,
    ConventionForm,
    DelegatedActForm,
    DoctorInformationForm,
    ExitForm,
    FollowUpForm,
)
from .models import (
    Adhesion,
    DelegatedAct,
    InclusionStatus,
    PatientInclusion,
    ThirdPartyConvention,
)
from .patient_facts import active_adhesions_by_doctor, assessment_of, facts_for

# --- object access ------------------------------------------------------------------------


def _get_protocol(protocol_id: str) -> catalogue.Protocol:
    protocol = catalogue.get(protocol_id)
    if protocol is None:
        raise Http404("Protocole inconnu.")
    return protocol


def _get_patient_for_user(user, pk: int):
    return get_object_or_404(
        selectors.cooperation_patients_visible_to(user).select_related("medecin_traitant"), pk=pk
    )


def _get_adhesion_for_user(user, pk: int, *, edit: bool = False) -> Adhesion:
    return get_for_user(selectors.adhesions_visible_to(user), pk,
                        allowed=lambda adhesion: not edit
                        or selectors.can_edit_adhesion(user, adhesion))


def _get_inclusion_for_user(user, pk: int) -> PatientInclusion:
    return get_object_or_404(
        selectors.inclusions_visible_to(user).filter(
            patient__in=selectors.cooperation_patients_visible_to(user)
        ),
        pk=pk,
    )


def _get_act_for_user(user, pk: int) -> DelegatedAct:
    return get_object_or_404(selectors.acts_visible_to(user), pk=pk)


def _get_convention_for_user(user, pk: int, *, edit: bool = False) -> ThirdPartyConvention:
    return get_for_user(selectors.conventions_visible_to(user), pk,
                        allowed=not edit or selectors.can_manage_conventions(user))


def _attach(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: at the field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _service_form_page(request: HttpRequest, form, template: str, context: dict, *,
                       record, answer) -> HttpResponse:
    """A page whose valid POST runs a service, `record()`: once recorded,
    `answer(result)` says so on the next page; a refusal is shown at the form,
    which is rendered again with `context`."""
    if request.method == "POST" and form.is_valid():
        try:
            result = record()
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return answer(result)
    return render(request, template, {"form": form, **context})


def _success(request, message: str, to: str, **kwargs) -> HttpResponse:
    messages.success(request, message)
    return redirect(to, **kwargs)


# --- protocols ----------------------------------------------------------------------------


@any_role
def protocol_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cooperation/protocol_list.html", {
        "protocols": catalogue.protocols(),
        "delegation": catalogue.delegation(),
        "is_nurse": request.user.role in NURSES,
    })


@any_role
def protocol_detail(request: HttpRequest, protocol_id: str) -> HttpResponse:
    protocol = _get_protocol(protocol_id)
    adhesions = selectors.adhesions_visible_to(request.user).filter(protocol=protocol.id)
    today = timezone.localdate()
    return render(request, "cooperation/protocol_detail.html", {
        "protocol": protocol,
        "adhesions": adhesions,
        "today": today,
        "indicators": indicators.yearly(protocol.id, today.year),
    })


# --- eligibility --------------------------------------------------------------------------


def eligibility_panel_context(user, patient, on: dt.date | None = None) -> dict:
    """What `cooperation/_patient_panel.html` shows: per protocol, the status, each
    criterion with its rule, result and reason, and what the user may do next."""
    on = on or timezone.localdate()
    assessment = assessment_of(patient)
    results = evaluate_all(facts_for(patient, on=on, assessment=assessment))
    inclusions = {
        i.protocol: i for i in PatientInclusion.objects.filter(patient=patient).order_by(
            "consent_recorded_at", "pk")
    }
    rows = []
    for result in results:
        inclusion = inclusions.get(result.protocol.id)
        rows.append({
            "result": result,
            "inclusion": inclusion,
            "missing_labels": [catalogue.facts()[m].label for m in result.missing],
            "can_include": result.status == Status.ELIGIBLE
            and (inclusion is None or inclusion.status == InclusionStatus.EXITED),
        })
    return {"patient": patient, "eligibility_rows": rows, "assessment": assessment,
            "eligibility_date": on}


@roles(*NURSES)
def patient_eligibility(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _get_patient_for_user(request.user, patient_id)
    record_view(request, obj=patient, patient_id=patient.pk)
    context = eligibility_panel_context(request.user, patient)
    if request.htmx:
        # The patient page loads this panel into itself.
        return render(request, "cooperation/_patient_panel.html",
                      {**context, "patient": patient, "hidden": False})
    context["inclusions"] = PatientInclusion.objects.filter(patient=patient).select_related(
        "adhesion", "adhesion__doctor", "adhesion__nurse")
    return render(request, "cooperation/patient_eligibility.html", context)


@roles(*NURSES)
def assessment_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _get_patient_for_user(request.user, patient_id)
    assessment = assessment_of(patient)
    if request.method == "GET":
        record_view(request, obj=patient, patient_id=patient.pk)
    form = AssessmentForm(request.POST or None, instance=assessment)
    return _service_form_page(
        request, form, "cooperation/assessment_form.html", {"patient": patient},
        record=lambda: services.save_assessment(
            acting_user=request.user, patient=patient, data=_record_data(form),
            expected_version=form.expected_version),
        answer=lambda _: _success(request, "Évaluation enregistrée.",
                                  "cooperation:patient_eligibility", patient_id=patient.pk),
    )


def _record_data(form) -> dict:
    """What the service records: the form's data without the version it checks."""
    return {k: v for k, v in form.cleaned_data.items() if k != "row_version"}


ELIGIBLE_PAGE_SIZE = 50


@roles(*NURSES)
def eligible_list(request: HttpRequest) -> HttpResponse:
    """The patients eligible to a protocol and not yet included (nor refused)."""
    today = timezone.localdate()
    # Kept until the next write (core.figures): every rule is evaluated for every
    # patient, and patients, assessments, adhesions and inclusions change only
    # through services that write their audit row.
    rows, incomplete = until_next_write(
        "cooperation-eligible", request.user.pk, today.isoformat(),
        compute=lambda: _eligible_rows(request.user, today))
    page = Paginator(rows, ELIGIBLE_PAGE_SIZE).get_page(request.GET.get("page"))
    # S-TRACE-1: each patient listed as eligible (a clinical inference), on the page shown.
    record_reads(request, patient_ids=[row["patient"].pk for row in page.object_list])
    return render(request, "cooperation/eligible_list.html",
                  {"page": page, "rows": page.object_list, "total": len(rows),
                   "incomplete": incomplete, "today": today})


def _eligible_rows(user, today) -> tuple[list[dict], int]:
    """The (patient, result) rows of eligible patients not yet included nor
    refused, and the number of patients whose evaluation is incomplete."""
    patients = selectors.cooperation_patients_visible_to(user).filter(
        is_active=True).select_related("medecin_traitant", "cooperation_assessment")
    taken = set(
        PatientInclusion.objects.filter(
            status__in=[InclusionStatus.INCLUDED, InclusionStatus.REFUSED]
        ).values_list("patient_id", "protocol")
    )
    patients = list(patients)
    # One query for every médecin traitant's adhesions, whatever the number of patients.
    adhesions = active_adhesions_by_doctor(
        {p.medecin_traitant_id for p in patients if p.medecin_traitant_id}, today)
    # Counted per patient (a patient incomplete for two protocols is one
    # evaluation to finish), not per patient and protocol.
    rows, incomplete_patients = [], set()
    for patient in patients:
        assessment = getattr(patient, "cooperation_assessment", None)  # None: not assessed yet
        facts = facts_for(patient, on=today, assessment=assessment,
                          adhesions=adhesions.get(patient.medecin_traitant_id, []))
        for result in evaluate_all(facts):
            if (patient.pk, result.protocol.id) in taken:
                continue
            if result.status == Status.ELIGIBLE:
                rows.append({"patient": patient, "result": result})
            elif result.status == Status.INCOMPLETE:
                incomplete_patients.add(patient.pk)
    return rows, len(incomplete_patients)


# --- inclusions ---------------------------------------------------------------------------


@roles(*STAFF)
def inclusion_list(request: HttpRequest) -> HttpResponse:
    inclusions = selectors.inclusions_visible_to(request.user)
    return render(request, "cooperation/inclusion_list.html", {
        "inclusions": inclusions,
        "clinical": selectors.can_see_clinical(request.user),
    })


@roles(*NURSES)
def inclusion_create(request: HttpRequest, patient_id: int, protocol_id: str) -> HttpResponse:
    """R-COOP-3: record the patient's information and consent (or refusal)."""
    patient = _get_patient_for_user(request.user, patient_id)
    protocol = _get_protocol(protocol_id)
    record_view(request, obj=patient, patient_id=patient.pk)
    form = ConsentForm(request.POST or None, protocol=protocol)

    def answer(inclusion) -> HttpResponse:
        if inclusion.consent:
            messages.success(request, f"Consentement enregistré : {patient} est inclus(e).")
        else:
            messages.warning(request, "Refus du patient enregistré.")
        return redirect("cooperation:inclusion_detail", pk=inclusion.pk)

    return _service_form_page(
        request, form, "cooperation/consent_form.html", {"patient": patient, "protocol": protocol},
        record=lambda: services.record_consent(
            acting_user=request.user, patient=patient, protocol_id=protocol.id,
            data=form.cleaned_data),
        answer=answer,
    )


@roles(*NURSES)
def inclusion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inclusion = _get_inclusion_for_user(request.user, pk)
    record_view(request, obj=inclusion, patient_id=inclusion.patient_id)
    return render(request, "cooperation/inclusion_detail.html", {
        "inclusion": inclusion,
        "patient": inclusion.patient,
        "protocol": inclusion.protocol_def,
        "acts": inclusion.acts.select_related("nurse", "doctor"),
        "follow_ups": inclusion.follow_up_visits.select_related("visit", "visit__nurse"),
    })


@roles(*NURSES)
def follow_up_plan(request: HttpRequest, pk: int) -> HttpResponse:
    inclusion = _get_inclusion_for_user(request.user, pk)
    form = FollowUpForm(request.POST or None)
    return _service_form_page(
        request, form, "cooperation/follow_up_form.html", {"inclusion": inclusion},
        record=lambda: services.plan_follow_up(acting_user=request.user, inclusion=inclusion,
                                               **form.cleaned_data),
        answer=lambda visits: _success(
            request, f"{len(visits)} visite(s) de suivi ajoutée(s) aux tournées.",
            "cooperation:inclusion_detail", pk=inclusion.pk),
    )


@roles(*NURSES)
def inclusion_exit(request: HttpRequest, pk: int) -> HttpResponse:
    inclusion = _get_inclusion_for_user(request.user, pk)
    form = ExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})
    return _service_form_page(
        request, form, "cooperation/exit_form.html", {"inclusion": inclusion},
        record=lambda: services.exit_inclusion(acting_user=request.user, inclusion=inclusion,
                                               **form.cleaned_data),
        answer=lambda _: _success(request, "Sortie du protocole enregistrée.",
                                  "cooperation:inclusion_detail", pk=inclusion.pk),
    )


# --- delegated acts -----------------------------------------------------------------------


@roles(*NURSES)
def act_create(request: HttpRequest, pk: int) -> HttpResponse:
    inclusion = _get_inclusion_for_user(request.user, pk)
    record_view(request, obj=inclusion, patient_id=inclusion.patient_id)
    form = DelegatedActForm(request.POST or None, inclusion=inclusion,
                            initial={"act_code": request.GET.get("acte", "")})

    def record():
        data = dict(form.cleaned_data)
        visit_id = data.pop("visit", None)
        data["visit"] = None
        if visit_id:
            link = inclusion.follow_up_visits.filter(visit_id=visit_id).select_related("visit")
            data["visit"] = link.first().visit if link.exists() else None
        return services.record_delegated_act(acting_user=request.user, inclusion=inclusion,
                                             data=data)

    return _service_form_page(
        request, form, "cooperation/act_form.html", {"inclusion": inclusion}, record=record,
        answer=lambda act: _success(request, "Acte délégué enregistré.",
                                    "cooperation:act_detail", pk=act.pk),
    )


@roles(*NURSES)
def act_detail(request: HttpRequest, pk: int) -> HttpResponse:
    act = _get_act_for_user(request.user, pk)
    form = DoctorInformationForm(request.POST or None, act=act)
    if request.method == "GET":
        record_view(request, obj=act, patient_id=act.inclusion.patient_id)
    return _service_form_page(
        request, form, "cooperation/act_detail.html", {"act": act, "inclusion": act.inclusion},
        record=lambda: services.record_doctor_information(
            acting_user=request.user, act=act, channel=form.cleaned_data["channel"],
            informed_at=form.cleaned_data["informed_at"],
            information=form.cleaned_data["information"]),
        answer=lambda _: _success(request, "Information du médecin enregistrée.",
                                  "cooperation:act_detail", pk=act.pk),
    )


# --- adhesions ----------------------------------------------------------------------------


@any_role
def adhesion_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    adhesions = selectors.adhesions_visible_to(request.user)
    return render(request, "cooperation/adhesion_list.html", {
        "adhesions": adhesions, "today": today,
        "can_create": selectors.can_create_adhesion(request.user),
    })


@any_role
def adhesion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adhesion = _get_adhesion_for_user(request.user, pk)
    return render(request, "cooperation/adhesion_detail.html", {
        "adhesion": adhesion, "protocol": adhesion.protocol_def,
        "today": timezone.localdate(),
        "can_edit": selectors.can_edit_adhesion(request.user, adhesion),
    })


def _record_form_view(request: HttpRequest, form, instance, *, save, saved_message: str,
                      detail: str, template: str, name: str) -> HttpResponse:
    """The create / edit page of an adhesion or a convention: `save` is its
    service; a refusal is shown at the form, a success on the detail page."""
    return _service_form_page(
        request, form, template, {name: instance},
        record=lambda: save(acting_user=request.user, data=_record_data(form),
                            expected_version=form.expected_version, **{name: instance}),
        answer=lambda saved: _success(request, saved_message, detail, pk=saved.pk),
    )


def _adhesion_form_view(request: HttpRequest, adhesion: Adhesion | None) -> HttpResponse:
    return _record_form_view(
        request, AdhesionForm(request.POST or None, instance=adhesion, user=request.user),
        adhesion, save=services.save_adhesion, saved_message="Adhésion enregistrée.",
        detail="cooperation:adhesion_detail", template="cooperation/adhesion_form.html",
        name="adhesion")


@roles(*OFFICE)
def adhesion_create(request: HttpRequest) -> HttpResponse:
    return _adhesion_form_view(request, None)


# The remplaçante passes the role check so that the object decides: another nurse's
# adhesion is not found (404), her own is read only (403).
@roles(*OFFICE, Role.REMPLACANT)
def adhesion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    adhesion = _get_adhesion_for_user(request.user, pk, edit=True)
    return _adhesion_form_view(request, adhesion)


# --- third-party conventions --------------------------------------------------------------


@roles(Role.TITULAIRE, Role.SECRETAIRE, Role.ADMIN)
def convention_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cooperation/convention_list.html", {
        "conventions": selectors.conventions_visible_to(request.user),
        "can_manage": selectors.can_manage_conventions(request.user),
        "delegation": catalogue.delegation(),
    })


@roles(Role.TITULAIRE, Role.SECRETAIRE, Role.ADMIN)
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _get_convention_for_user(request.user, pk)
    return render(request, "cooperation/convention_detail.html", {
        "convention": convention,
        "can_manage": selectors.can_manage_conventions(request.user),
        "rule": catalogue.delegation().rule_for(nature="non_medical", delegate="third_party"),
    })


def _convention_form_view(request, convention: ThirdPartyConvention | None) -> HttpResponse:
    return _record_form_view(
        request, ConventionForm(request.POST or None, instance=convention), convention,
        save=services.save_convention, saved_message="Convention enregistrée.",
        detail="cooperation:convention_detail", template="cooperation/convention_form.html",
        name="convention")


@roles(*OFFICE)
def convention_create(request: HttpRequest) -> HttpResponse:
    return _convention_form_view(request, None)


@roles(*OFFICE)
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = _get_convention_for_user(request.user, pk, edit=True)
    return _convention_form_view(request, convention)
