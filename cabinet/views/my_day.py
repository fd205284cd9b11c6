"""« Ma journée » on the phone: the nurse's visits of the day, each marked
done (with the acts performed) or not done, set back to planned, and the
rest of the day re-planned from where she is. Writes: `services.visit_outcome`
and `services.planning`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.access import NURSES, roles
from core.formatting import euros

from .. import acts_catalogue
from ..forms.tournees import DoneForm, NotDoneForm, ReplanForm
from ..models.visits import NotDoneReason, VisitStatus
from ..selectors import tournees as policy
from ..services import planning, visit_outcome
from .tournee_common import _day, _get_tournee_for_user, _get_visit_for_user, _Refusal, _report


def _performed_positions(acts: list[dict], performed: list[dict]) -> set[int]:
    """Positions in the planned acts of the acts noted as performed (an act
    planned twice and done once is ticked once)."""
    positions: set[int] = set()
    for act in performed:
        position = next((i for i, planned in enumerate(acts)
                         if planned == act and i not in positions), None)
        if position is not None:
            positions.add(position)
    return positions


_VISIT_URLS = ("visit_done", "visit_not_done", "visit_reopen", "visit_act_options")


def _visit_urls() -> Callable[[int], dict]:
    """The four addresses of a visit's card, from one reverse() each per page
    (a day of cards reversing them one by one spent a fifth of the page)."""
    marker = 987654321
    patterns = {name: reverse(f"cabinet:{name}", args=[marker]).split(str(marker))
                for name in _VISIT_URLS}
    return lambda pk: {name: f"{head}{pk}{tail}" for name, (head, tail) in patterns.items()}


def _my_day_context(request, day: date, bound: dict | None = None) -> dict:
    visits = list(policy.own_visits(request.user, day))
    bound = bound or {}
    urls_of = _visit_urls()
    items = []
    for v in visits:
        patient = v.patient
        lat, lon = patient.latitude, patient.longitude
        done = v.status == VisitStatus.DONE
        items.append({
            # A done visit's correction form starts from what was noted.
            "performed": _performed_positions(v.acts, v.performed_acts) if done else set(),
            "done_time": timezone.localtime(v.done_at).strftime("%H:%M")
            if done and v.done_at else "",
            "visit": v,
            "urls": urls_of(v.pk),
            "pk": str(v.pk),  # never localised: it names the card's fields
            "unplanned": visit_outcome.unplanned_acts(v) if done else [],
            "geo": f"geo:{lat},{lon}?q={lat},{lon}" if lat is not None else "",
            "osm": (f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
                    if lat is not None else ""),
            # Bound forms with errors only; the others are written in the template.
            "done_form": bound.get(("done", v.pk)),
            "not_done_form": bound.get(("not_done", v.pk)),
        })
    pending = [i for i in items if i["visit"].status == VisitStatus.PLANNED]
    return {
        "day": day, "items": items, "next": pending[0] if pending else None,
        "rest": [i for i in items if not pending or i is not pending[0]],
        "tournee": policy.own_tournee(request.user, day),
        "done_count": sum(1 for i in items if i["visit"].status == VisitStatus.DONE),
        "replan_offer": request.GET.get("replanifier") == "1",
        # Written once for every card (a day of cards re-rendering the same
        # token input and option list was most of the page's time).
        "csrf_input": format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                                  get_token(request)),
        "reason_options": format_html_join("", '<option value="{}">{}</option>',
                                           NotDoneReason.choices),
        "replan_form": ReplanForm(),
        "today": timezone.localdate(),
        "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
    }


def _render_my_day(request, day: date, bound: dict | None = None, status: int = 200):
    context = _my_day_context(request, day, bound)
    audit.record(actor=request.user, action="view", view="cabinet:my_day", day=day.isoformat(),
                 patients=sorted({i["visit"].patient_id for i in context["items"]}))
    return render(request, "cabinet/tournee_my_day.html", context, status=status)


@require_GET
@roles(*NURSES)
def my_day(request: HttpRequest) -> HttpResponse:
    return _render_my_day(request, _day(request))


def _form_again(request, visit, name: str, form) -> HttpResponse:
    """The day again, with the visit's "done" or "not_done" form and its errors."""
    return _render_my_day(request, visit.date, {(name, visit.pk): form}, status=400)


def _my_day_url(day: date, **extra) -> str:
    return reverse("cabinet:my_day") + "?" + urlencode({"jour": day.isoformat(), **extra})


def _outcome(request, pk: int, name: str, form_class, record) -> HttpResponse:
    """A visit's "done" or "not_done" form: `record(request, visit, form)`
    writes it and answers; a form with errors, or one the service refuses, is
    shown again on the day."""
    visit = _get_visit_for_user(request.user, pk, to="run")
    form = form_class(request.POST, visit=visit)
    if form.is_valid():
        with _Refusal(request, form):
            return record(request, visit, form)
    return _form_again(request, visit, name, form)


@require_POST
@roles(*NURSES)
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _outcome(request, pk, "done", DoneForm, _record_done)


def _record_done(request, visit, form) -> HttpResponse:
    done_time = form.cleaned_data["done_time"]
    was_done = visit.status == VisitStatus.DONE
    if done_time:
        done_at = timezone.make_aware(datetime.combine(visit.date, done_time))
    else:
        # A correction without a time keeps the time first noted.
        done_at = visit.done_at if was_done else None
    visit = visit_outcome.mark_done(
        acting_user=request.user, visit=visit, done_at=done_at,
        performed=form.cleaned_data["performed"], unplanned=form.unplanned_acts(),
        note=form.cleaned_data["note"],
        actual_duration_min=form.cleaned_data["actual_duration_min"],
    )
    said = "corrigé" if was_done else "noté fait"
    cotation = getattr(visit, "cotation", None)
    if cotation is None:
        messages.success(request, f"Passage chez {visit.patient} {said}.")
    elif cotation["invoiced"]:
        messages.warning(request, f"Passage chez {visit.patient} {said} ; la séance, déjà "
                                  "facturée, n'a pas changé : le cabinet est prévenu.")
    elif cotation["error"]:
        messages.warning(request, f"Passage chez {visit.patient} {said} ; cotation à vérifier : "
                                  f"{cotation['error']}")
    else:
        messages.success(request, f"Passage chez {visit.patient} {said} — cotation "
                                  f"{cotation['cotation']} : {euros(cotation['total'])}.")
    return redirect(_my_day_url(visit.date))


@require_GET
@roles(*NURSES)
def visit_act_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Type-ahead of « Ajouter un acte réalisé » (htmx): the acts of the
    visit's prescription first, then the catalogue acts matching the text."""
    visit = _get_visit_for_user(request.user, pk, to="run")
    query = (request.GET.get("added") or request.GET.get("q") or "")[:80]
    prescribed = policy.visit_prescribed_acts(visit)
    audit.record(actor=request.user, action="view", view="cabinet:visit_act_options",
                 obj=visit, patient_id=visit.patient_id)
    return render(request, "cabinet/_typed_act_options.html",
                  {"options": acts_catalogue.options(query, prescribed)})


@require_POST
@roles(*NURSES)
def visit_not_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _outcome(request, pk, "not_done", NotDoneForm, _record_not_done)


def _record_not_done(request, visit, form) -> HttpResponse:
    visit_outcome.mark_not_done(acting_user=request.user, visit=visit,
                                reason=form.cleaned_data["reason"],
                                note=form.cleaned_data["note"])
    messages.warning(request, f"Passage chez {visit.patient} noté non fait.")
    return redirect(_my_day_url(visit.date, replanifier="1"))


@require_POST
@roles(*NURSES)
def visit_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit_for_user(request.user, pk, to="run")
    with _Refusal(request) as ok:
        visit_outcome.reopen_visit(acting_user=request.user, visit=visit)
    if ok:
        messages.success(request, f"Passage chez {visit.patient} remis à faire.")
    return redirect(_my_day_url(visit.date))


@require_POST
@roles(*NURSES)
def tournee_replan(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk, to_plan=True)
    form = ReplanForm(request.POST)
    position = None
    if form.is_valid():
        lat, lon = form.cleaned_data["latitude"], form.cleaned_data["longitude"]
        if lat is not None and lon is not None:
            position = (lat, lon)
    with _Refusal(request) as ok:
        solution = planning.replan_rest_of_day(acting_user=request.user, tournee=tournee,
                                               position=position)
    if ok:
        messages.success(request, "La suite de la journée a été re-planifiée.")
        _report(request, solution)
    if tournee.nurse_id == request.user.pk:
        return redirect(_my_day_url(tournee.date))
    return redirect("cabinet:tournee_detail", pk=tournee.pk)
