from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core import audit
from core.access import OFFICE, STAFF, roles
from core.models import AuditEvent, Role

from ..forms.patients import PatientForm, PatientSearchForm
from ..letters import PATIENT_LETTER_KIND, registered
from ..models import Patient, PatientVersion, PrescribedAct, Prescription, Visit
from ..models.visits import VisitStatus
from ..panels import patient_panels_for
from ..search import fold
from ..search import terms as search_terms
from ..selectors import patients as selectors
from ..services.patients import save_patient
from .common import _get_patient_for_user, versioned_form_page


@roles(*STAFF)
def patient_list(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    qs = selectors.patients_visible_to(request.user).select_related("medecin_traitant")
    if query:
        qs = selectors.search_patients(qs, query)
    page = Paginator(qs.only(
        "pk", "last_name", "first_name", "birth_date", "address", "postcode", "city",
        "geocode_status", "bsi_level", "is_active", "medecin_traitant__last_name",
        "medecin_traitant__first_name",
    ), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query,
               "can_create": request.user.role in OFFICE}
    template = "cabinet/patient_list_results.html" if request.htmx else "cabinet/patient_list.html"
    return render(request, template, context)


def _render_form(request, form, patient=None, status=200):
    return render(request, "cabinet/patient_form.html", {"form": form, "patient": patient},
                  status=status)


def _saved(request, form, result) -> HttpResponse:
    for warning in form.warnings:
        messages.warning(request, warning)
    if result.geocoded is False:
        messages.warning(request, "Adresse non localisée : vérifiez-la ou placez le patient à "
                                  "la main avant la tournée.")
    messages.success(request, "Fiche patient enregistrée.")
    return redirect("cabinet:patient_detail", pk=result.patient.pk)


@roles(*OFFICE)
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = save_patient(acting_user=request.user, patient=form.save(commit=False))
        return _saved(request, form, result)
    return _render_form(request, form, status=400 if form.errors else 200)


@roles(*STAFF)
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _get_patient_for_user(request.user, pk)
    form = PatientForm(request.POST or None, instance=patient, user=request.user)
    return versioned_form_page(
        request, "cabinet/patient_form.html", {"patient": patient}, form=form,
        on_saved=lambda result: _saved(request, form, result),
        save=lambda: save_patient(acting_user=request.user, patient=form.save(commit=False),
                                  expected_version=form.expected_version),
    )


@roles(*STAFF)
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    patient = _get_patient_for_user(user, pk, related=("medecin_traitant", "referent_nurse"))
    today = timezone.localdate()
    alds = list(patient.alds.select_related("established_by"))
    ald_statuses = [(ald, ald.status_on(today)) for ald in alds]
    prescriptions = list(
        Prescription.objects.filter(patient=patient).select_related("prescriber").prefetch_related(
            Prefetch("acts", queryset=PrescribedAct.objects.order_by("pk")),
        )[:20]
    )
    care_plans = list(patient.care_plans.filter(active=True).select_related("nurse"))
    visits = list(
        Visit.objects.filter(patient=patient, date__gte=today, status=VisitStatus.PLANNED)
        .select_related("nurse").order_by("date", "window_start")[:12]
    )
    audit.record_view(request, obj=patient, patient_id=patient.pk)
    warnings = [w for _, st in ald_statuses for w in st.warnings]
    if not patient.is_located:
        warnings.append("Adresse non localisée : le patient ne peut pas être placé sur la tournée.")
    if patient.bsi_level and patient.bsi_date and (today - patient.bsi_date).days > 365:
        warnings.append(f"BSI du {patient.bsi_date:%d/%m/%Y} : renouvellement annuel dépassé.")
    for p in prescriptions:
        if p.expiry_state == "expired" and any(cp.prescription_id == p.pk for cp in care_plans):
            warnings.append(f"Ordonnance du {p.date:%d/%m/%Y} expirée le {p.end_date:%d/%m/%Y} "
                            "alors que des soins sont planifiés.")
    return render(request, "cabinet/patient_detail.html", {
        "patient": patient,
        "ald_statuses": ald_statuses,
        "prescriptions": prescriptions,
        "care_plans": care_plans,
        "visits": visits,
        "warnings": warnings,
        "show_clinical": selectors.can_see_clinical(user),
        "can_edit_admin": selectors.can_edit_alds(user),
        "patient_letter_kind": PATIENT_LETTER_KIND if registered(PATIENT_LETTER_KIND) else "",
        "panels": patient_panels_for(user),
        "today": today,
    })


@roles(Role.ADMIN)
def access_log_index(request: HttpRequest) -> HttpResponse:
    """The administrator finds a patient by name to read the access log; only
    names and birth dates are shown (no administrative or clinical data).

    S-AUTHZ-1 / S-TRACE-1: the administrator is not allowed patient data, so
    the search matches names (words of the name) or an exact identifier (the
    whole NIR, a whole birth date) only: a prefix of a NIR matches nothing,
    otherwise adding one digit at a time would read a NIR out of the results.
    Every search is itself written to the audit trail."""
    query = (request.GET.get("q") or "").strip()[:100]
    qs = Patient.objects.only("pk", "last_name", "first_name", "birth_date")
    kind = ""
    if query:
        kind, qs = _access_log_search(qs, query)
        audit.record(
            actor=request.user, action="access_log.search", view="cabinet:access_log_index",
            kind=kind, results=qs.count(),
            # A name is what the administrator may see; an identifier is not echoed.
            query=query if kind == "nom" else "",
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cabinet/patient_access_log_index.html",
                  {"page": page, "query": query, "refused": kind == "refusée"})


_NIR_QUERY = re.compile(r"^[12378]\d{2}(?:0[1-9]|1[0-2]|[2-9]\d)(?:\d{2}|2[ab])\d{6}(?:\d{2})?$",
                        re.IGNORECASE)
_FULL_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def _access_log_search(qs, query: str):
    """(kind of search, patients): by exact NIR (13 or 15 characters), by
    exact birth date, or by name words; anything else matches nothing."""
    compact = re.sub(r"\s", "", query)
    if any(c.isdigit() for c in compact):
        if _NIR_QUERY.match(compact):
            nir13 = compact[:13].upper()
            candidates = Patient.objects.filter(search_text__contains=nir13.lower())
            matches = [p.pk for p in candidates.only("pk", "nir")
                       if re.sub(r"\s", "", p.nir)[:13].upper() == nir13]
            return "nir", qs.filter(pk__in=matches)
        terms = search_terms(query)
        if len(terms) == 1 and _FULL_DATE.match(terms[0]):
            day, month, year = terms[0].split("/")
            try:
                born = date(int(year), int(month), int(day))
            except ValueError:
                return "refusée", qs.none()
            return "date de naissance", qs.filter(birth_date=born)
        return "refusée", qs.none()
    words = [w for w in search_terms(query) if w.replace("-", "").replace("'", "").isalpha()]
    if not words:
        return "refusée", qs.none()
    for word in words:
        qs = qs.filter(search_text__contains=fold(word))
    return "nom", qs


@roles(Role.ADMIN)
def patient_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """S-TRACE-1: who displayed this patient's record or files, when, from
    which view; and S-TRACE-2: who changed the record (field names only: the
    administrator sees no clinical data)."""
    patient = selectors.patient_for_access_log(request.user, pk)
    if patient is None:
        raise Http404("Patient introuvable.")
    events = Paginator(
        AuditEvent.objects.filter(patient_id=patient.pk).select_related("actor"), 50
    ).get_page(request.GET.get("page"))
    versions = PatientVersion.objects.filter(patient=patient).select_related("author")[:50]
    return render(request, "cabinet/patient_access_log.html",
                  {"patient": patient, "events": events, "versions": versions})
