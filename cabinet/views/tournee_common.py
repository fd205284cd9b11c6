"""What the tournée views share: one `_get_<object>_for_user` per object
(foreign → 404, read-only → 403), the one way a service's refusal is shown,
the day asked for and the lateness report."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.access import get_for_user

from ..forms.tournees import DayForm
from ..models import Tournee, Visit
from ..selectors import tournees as policy
from ..services.tournee_errors import TourneeError


def _get_tournee_for_user(user, pk: int, *, to_plan: bool = False) -> Tournee:
    """A tournée the user may see, else 404; `to_plan`: one she may change,
    else 403 (read-only)."""
    return get_for_user(policy.tournees_visible_to(user).select_related("nurse"), pk,
                        allowed=lambda tournee: not to_plan or policy.can_plan(user, tournee))


def _get_visit_for_user(user, pk: int, *, to: Literal["plan", "run"]) -> Visit:
    """`to="plan"`: a visit of a tournée the user may change (404 if unseen,
    403 if read-only); `to="run"`: one of the nurse's own visits, to mark
    done or not done (else 404)."""
    if to == "run":
        return get_object_or_404(
            policy.visits_runnable_by(user).select_related("patient", "tournee"), pk=pk)
    return get_for_user(policy.visits_visible_to(user).select_related("tournee", "patient"), pk,
                        allowed=lambda visit: policy.can_plan(user, visit.tournee))


class _Refusal:
    """The one way a view shows a tournée service's refusal (`TourneeError`):
    at the form when one is given (at its field when the form has it),
    else as a message on the next page. `fields_only`: a refusal naming no
    field of the form goes to the message instead. False once refused:

        with _Refusal(request) as ok:
            planning.accept_tournee(...)
        if ok: ...
    """

    def __init__(self, request: HttpRequest, form=None, *, fields_only: bool = False):
        self.request, self.form, self.fields_only = request, form, fields_only
        self.refused = self.at_form = False

    def __enter__(self) -> _Refusal:
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if exc_type is None or not issubclass(exc_type, TourneeError):
            return False
        self.refused = True
        on_field = self.form is not None and exc.field in self.form.fields
        if self.form is not None and (on_field or not self.fields_only):
            self.form.add_error(exc.field if on_field else None, str(exc))
            self.at_form = True
        else:
            messages.error(self.request, str(exc))
        return True

    def __bool__(self) -> bool:
        return not self.refused


def _day(request: HttpRequest, default: date | None = None) -> date:
    form = DayForm(request.GET if "jour" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["jour"]
    return default or timezone.localdate()


def _report(request, solution) -> None:
    if solution.late:
        names = policy.patient_names_of_visits(x.stop_id for x in solution.late)
        details = ", ".join(f"{names.get(x.stop_id, '?')} ({x.minutes} min)" for x in solution.late)
        level = messages.error if solution.hard_late else messages.warning
        level(request, f"Horaires impossibles à tenir — passages en retard : {details}.")
    for minutes in solution.overtime.values():
        messages.warning(request, f"Fin de journée dépassée de {minutes} min.")
