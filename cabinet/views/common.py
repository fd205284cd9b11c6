from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from core import audit
from core.access import get_for_user
from core.versioning import ConcurrentEditError, refuse_stale

from ..models import Ald, CarePlan, Patient, Prescription
from ..models.patients import patient_id_of
from ..selectors import patients as selectors
from ..validators import sniff_content_type


def _get_patient_for_user(user, pk: int, *, related: tuple[str, ...] = (),
                          edit_alds: bool = False) -> Patient:
    """The patient if the user may see it, else 404 (a foreign object);
    403 when asked to add an ALD the user may only read."""
    return get_for_user(selectors.patients_visible_to(user).select_related(*related), pk,
                        allowed=not edit_alds or selectors.can_edit_alds(user))


def _get_prescription_for_user(user, pk: int) -> Prescription:
    return get_object_or_404(
        selectors.prescriptions_visible_to(user).select_related("patient", "prescriber"), pk=pk
    )


def _get_ald_for_user(user, pk: int, *, edit: bool = False) -> Ald:
    """404 for an ALD of a patient the user does not see, 403 for one she may
    only read (the remplaçant: the protocol is the titulaires' and the
    secretary's paperwork)."""
    return get_for_user(
        selectors.alds_visible_to(user).select_related("patient__medecin_traitant"), pk,
        allowed=not edit or selectors.can_edit_alds(user),
    )


def _get_care_plan_for_user(user, pk: int) -> CarePlan:
    return get_object_or_404(
        selectors.care_plans_visible_to(user).select_related("prescription", "patient"), pk=pk
    )


def stored_file_response(request, record, field_file, *, download_name: str) -> FileResponse:
    """Serve an uploaded file of a patient's record (S-DATA-4): only through
    an authorised view, with the type recognised from its content, never
    guessed by the browser; each display logged (S-TRACE-1)."""
    if not field_file:
        raise Http404("Aucun fichier.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable.") from exc
    head = handle.read(8)
    handle.seek(0)
    content_type = sniff_content_type(head) or "application/octet-stream"
    extension = ".pdf" if content_type == "application/pdf" else ".jpg"
    response = FileResponse(handle, content_type=content_type, as_attachment=False,
                            filename=download_name + extension)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    audit.record_view(request, obj=record, patient_id=record.patient_id)
    return response


def versioned_form_page(request, template: str, context: dict, *, form, save: Callable,
                        on_saved: Callable[..., HttpResponse], formset=None) -> HttpResponse:
    """The edit page of a record kept by version (S-DATA-2). On a valid POST,
    `save()` runs the update service with the version the form was opened on
    and `on_saved(result)` answers; otherwise the form again, with its
    errors (400) or with the refusal of a stale version (409).

    S-TRACE-1: opening the edit page of a stored patient record (the patient,
    an ALD, a prescription, a care plan) shows the whole record, so the read is
    logged here, once for every edit page; a new record or a médecin is not."""
    record = form.instance
    patient_id = patient_id_of(record)
    if record.pk and patient_id is not None:
        audit.record_view(request, obj=record, patient_id=patient_id)
    bound = [form] if formset is None else [form, formset]
    # Every form validated before the status is read (is_valid() fills the errors).
    valid = request.method == "POST" and all([each.is_valid() for each in bound])
    status = 400 if form.errors or (formset is not None and formset.total_error_count()) else 200
    if valid:
        try:
            result = save()
        except ConcurrentEditError:
            refuse_stale(form)
            status = 409
        else:
            return on_saved(result)
    return render(request, template, {"form": form, **context}, status=status)
