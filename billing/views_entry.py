"""The secretary's act entry (`/facturation/saisie/`): keyboard first, the
cotation live as typed (htmx), Enter saves; the next entry keeps the nurses
and the date. The list below shows the séances of that day — entered ones
and done visits of the tournées, already priced by the same path."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cabinet import acts_catalogue
from cabinet.selectors import patients as cabinet_selectors
from core import audit
from core.access import roles
from core.form_fields import validate_plausible_date
from core.models import Cabinet, Role
from core.versioning import parse_version

from .forms_entry import (
    EntryActFormSet,
    EntryForm,
    current_prescriptions,
    entry_data,
    initial_from_seance,
    patient_option,
)
from .invoicing.selectors import seances_visible_to
from .models import Seance, SeanceSource
from .ngap import rules
from .services import EntryError, preview_entry, save_entry
from .services.entries import cancel_entry
from .services.facts import distance_km as estimate_distance

ENTRY_ROLES = (Role.SECRETAIRE, Role.TITULAIRE)
LIST_SIZE = 25


def _get_seance_for_user(user, pk: int) -> Seance:
    """An entered séance the user may edit: foreign → 404; from a visit,
    invoiced or cancelled → the edit is refused at save (message)."""
    if not 0 < pk < 2**63:
        raise Http404
    seance = (seances_visible_to(user).select_related("patient", "prescription")
              .filter(pk=pk).first())
    if seance is None:
        raise Http404
    return seance


def _day_from(request) -> date:
    raw = (request.GET.get("date") or "")[:10]
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
        validate_plausible_date(day)
    except (ValueError, ValidationError):  # a bad query value means today
        return timezone.localdate()
    return day


def _kept_initial(request) -> dict:
    """What the next entry keeps: nurses and date (from the query string)."""
    now = timezone.localtime()
    initial = {"date": _day_from(request), "time": now.time().replace(second=0, microsecond=0),
               "place": "domicile"}
    for name in ("performed_by", "nurse"):
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) < 18:
            initial[name] = int(value)
    if "performed_by" not in initial and request.user.role == Role.TITULAIRE:
        initial["performed_by"] = request.user.pk
    return initial


def _recent(request, day):
    # What one row shows, in two queries whatever the number of rows.
    qs = (seances_visible_to(request.user).filter(date=day)
          .select_related("patient", "nurse", "performed_by", "prescription")
          .prefetch_related("lines").order_by("-time", "-pk"))
    return Paginator(qs, LIST_SIZE).get_page(request.GET.get("page"))


def _context(request, form, formset, *, seance=None, preview=None) -> dict:
    patient = getattr(form, "patient_obj", None) or (seance.patient if seance else None)
    if form.is_bound:
        day = getattr(form, "cleaned_data", {}).get("date")
    else:
        day = form.initial.get("date")
    list_day = day or _day_from(request)
    return {
        "form": form, "formset": formset, "seance": seance, "preview": preview,
        "patient": patient, "prescriptions": current_prescriptions(request.user, patient, day),
        "selected_prescription": str(form["prescription"].value() or ""),
        "page": _recent(request, list_day), "list_day": list_day,
        "cabinet_zone": getattr(Cabinet.current(), "zone", "plaine"),
        "rules": rules.RULES,
        "estimated_km": estimate_distance(Cabinet.current(), patient) if patient else None,
    }


def _forms(request, *, initial=None, acts=None):
    if request.method == "POST":
        return (EntryForm(request.POST, user=request.user),
                EntryActFormSet(request.POST, prefix="acts"))
    return (EntryForm(initial=initial or {}, user=request.user),
            EntryActFormSet(prefix="acts", initial=acts))


def _save(request, form, formset, seance=None) -> HttpResponse | None:
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        saved = save_entry(acting_user=request.user, data=entry_data(form, formset),
                           seance=seance,
                           expected_version=parse_version(form.cleaned_data.get("row_version")))
    except EntryError as exc:
        form.add_error(exc.field, exc.message)
        return None
    if saved.status == "priced":
        messages.success(request, f"Séance de {saved.patient} enregistrée : "
                                  f"{saved.total:.2f} €".replace(".", ","))
    else:
        messages.warning(request, f"Séance de {saved.patient} enregistrée, à vérifier : "
                                  f"{saved.error}")
    keep = {"date": saved.date.isoformat(), "performed_by": saved.performed_by_id}
    if saved.nurse_id != saved.performed_by_id:
        keep["nurse"] = saved.nurse_id
    query = "&".join(f"{k}={v}" for k, v in keep.items())
    return redirect(f"{reverse('billing:entry')}?{query}")


@roles(*ENTRY_ROLES)
@require_http_methods(["GET", "POST"])
def entry_view(request: HttpRequest) -> HttpResponse:
    form, formset = _forms(request, initial=_kept_initial(request))
    if request.method == "POST":
        response = _save(request, form, formset)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/entry.html", _context(request, form, formset), status=status)


@roles(*ENTRY_ROLES)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    seance = _get_seance_for_user(request.user, pk)
    if seance.source != SeanceSource.ENTRY:
        raise Http404  # a visit's séance is changed through its visit
    audit.record_view(request, obj=seance, patient_id=seance.patient_id)
    initial, acts = initial_from_seance(seance)
    form, formset = _forms(request, initial=initial, acts=acts)
    if request.method == "POST":
        response = _save(request, form, formset, seance=seance)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "billing/entry.html",
                  _context(request, form, formset, seance=seance), status=status)


@roles(*ENTRY_ROLES)
@require_POST
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    seance = _get_seance_for_user(request.user, pk)
    try:
        cancel_entry(acting_user=request.user, seance=seance,
                     expected_version=parse_version(request.POST.get("row_version")))
    except EntryError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Séance annulée.")
    return redirect(f"{reverse('billing:entry')}?date={seance.date.isoformat()}")


@roles(*ENTRY_ROLES)
@require_POST
def entry_preview(request: HttpRequest) -> HttpResponse:
    """The live cotation (htmx): the same path as saving, kept nowhere."""
    form = EntryForm(request.POST, user=request.user)
    formset = EntryActFormSet(request.POST, prefix="acts")
    preview = None
    seance = None
    pk = request.POST.get("seance", "")
    if pk.isdigit() and len(pk) < 18:
        seance = _get_seance_for_user(request.user, int(pk))
        if seance.source != SeanceSource.ENTRY or seance.is_invoiced:
            seance = None
    if form.is_valid() and formset.is_valid():
        try:
            preview = preview_entry(acting_user=request.user, data=entry_data(form, formset),
                                    seance=seance)
        except EntryError as exc:
            form.add_error(exc.field, exc.message)
        else:
            for line in preview.lines:
                line["rules"] = [{"id": rid, "anchor": rid.replace(".", "-")}
                                 for rid in line["rules"]]
    patient = form.patient_obj
    context = {
        "form": form, "formset": formset, "preview": preview, "patient": patient,
        "prescriptions": current_prescriptions(request.user, patient,
                                               form.cleaned_data.get("date")),
        "selected_prescription": str(form["prescription"].value() or ""),
        "estimated_km": estimate_distance(Cabinet.current(), patient) if patient else None,
        "rules": rules.RULES,
        "oob": str(patient.pk if patient else "") != request.POST.get("prescriptions_for", ""),
    }
    return render(request, "billing/_entry_quote.html", context)


@roles(*ENTRY_ROLES)
def entry_patients(request: HttpRequest) -> HttpResponse:
    """Type-ahead options for the patient (name, birth date, NIR)."""
    query = (request.GET.get("patient") or request.GET.get("q") or "")[:100]
    patients = []
    if query.strip() and "n°" not in query:
        qs = cabinet_selectors.search_patients(
            cabinet_selectors.patients_visible_to(request.user), query)
        patients = list(qs.only("pk", "last_name", "first_name", "birth_date")
                        .order_by("last_name", "first_name", "pk")[:10])
    return render(request, "billing/_entry_patient_options.html",
                  {"options": [patient_option(p) for p in patients]})


@roles(*ENTRY_ROLES)
def entry_acts(request: HttpRequest) -> HttpResponse:
    """Type-ahead options for an act: the prescription's acts first, then the
    catalogue (code, key and coefficient, words of the label)."""
    query = ""
    for key, value in request.GET.items():
        if key.endswith("-act") or key == "q":
            query = value[:80]
            break
    prescribed = ()
    pk = request.GET.get("prescription", "")
    if pk.isdigit() and len(pk) < 18:
        prescription = (cabinet_selectors.prescriptions_visible_to(request.user)
                        .filter(pk=int(pk)).prefetch_related("acts").first())
        prescribed = prescription.acts.all() if prescription else ()
    options = acts_catalogue.options(query, prescribed)
    return render(request, "cabinet/_typed_act_options.html", {"options": options})
