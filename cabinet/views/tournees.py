"""Tournées: the day's planning (the cabinet day shared among the nurses),
one tournée (optimise, reorder, accept, revert, a visit's own plan, the
route drawing) and the printable day sheet. Access policy and queries:
`selectors.tournees`; writes: `services.planning` and `services.dispatch`."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, formatting
from core.access import NURSES, STAFF, roles
from core.models import Role

from ..forms.tournees import DayForm, DispatchForm, MoveForm, VisitPlanForm
from ..models import Tournee, Visit
from ..models.visits import VisitStatus
from ..routing.svg import SvgStop, route_svg
from ..selectors import tournees as policy
from ..services import dispatch, planning
from .tournee_common import _day, _get_tournee_for_user, _get_visit_for_user, _Refusal, _report


def _render_day(request: HttpRequest, day: date, dispatch_form: DispatchForm | None = None,
                status: int = 200) -> HttpResponse:
    tournees = policy.day_tournees(request.user, day)
    unassigned = policy.unassigned_visit_count(day)
    own_pending = 0
    if request.user.role in NURSES:
        own_pending = policy.own_visits(request.user, day).count()
    if dispatch_form is None and policy.can_dispatch(request.user):
        dispatch_form = DispatchForm(initial={
            "jour": day, "nurses": sorted(policy.nurses_with_visits(day))})
    return render(request, "cabinet/tournee_day.html", {
        "day": day, "tournees": tournees, "unassigned": unassigned,
        "own_pending": own_pending, "dispatch_form": dispatch_form,
        "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
        "is_nurse": request.user.role in NURSES,
        "own_tournee": next((t for t in tournees if t.nurse_id == request.user.pk), None),
    }, status=status)


@require_GET
@roles(*STAFF)
def tournee_day(request: HttpRequest) -> HttpResponse:
    return _render_day(request, _day(request, timezone.localdate() + timedelta(days=1)))


@require_POST
@roles(*NURSES)
def tournee_plan_day(request: HttpRequest) -> HttpResponse:
    """Build (if needed) and optimise the nurse's own tournée of a day."""
    form = DayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Jour invalide.")
        return redirect("cabinet:tournee_day")
    day = form.cleaned_data["jour"]
    if not policy.own_visits(request.user, day).exists():
        messages.warning(request, f"Aucun passage prévu pour vous le {day:%d/%m/%Y}.")
        return redirect(reverse("cabinet:tournee_day") + "?" + urlencode({"jour": day}))
    with _Refusal(request) as ok:
        tournee = planning.get_or_create_tournee(nurse=request.user, day=day)
        result = planning.optimise_tournee(acting_user=request.user, tournee=tournee)
    if not ok:
        return redirect(reverse("cabinet:tournee_day") + "?" + urlencode({"jour": day}))
    _report(request, result.solution)
    return redirect("cabinet:tournee_detail", pk=result.tournee.pk)


@require_POST
@roles(Role.TITULAIRE)
def tournee_dispatch(request: HttpRequest) -> HttpResponse:
    form = DispatchForm(request.POST)
    if not form.is_valid():
        day_form = DayForm(request.POST)
        day = day_form.cleaned_data["jour"] if day_form.is_valid() else timezone.localdate()
        return _render_day(request, day, form, status=400)
    day = form.cleaned_data["jour"]
    with _Refusal(request, form, fields_only=True) as refusal:
        result = dispatch.dispatch_day(acting_user=request.user, day=day,
                                       nurses=list(form.cleaned_data["nurses"]),
                                       absent=list(form.cleaned_data["absent"]))
    if refusal.at_form:
        return _render_day(request, day, form, status=400)
    if refusal:
        messages.success(
            request,
            f"{result.assigned} passage(s) réparti(s) ; {formatting.km(result.solution.km)} "
            f"au total ({formatting.duration(result.solution.drive_minutes)} de route).",
        )
        _report(request, result.solution)
        for _sid, reason in result.solution.unassigned:
            messages.warning(request, f"Un passage n'a pas pu être attribué : {reason}.")
    return redirect(reverse("cabinet:tournee_day") + "?" + urlencode({"jour": day}))


# -- one tournée -------------------------------------------------------------------

def _panel_context(request, tournee: Tournee) -> dict:
    """The tournée panel. A visit's settings form (with its « après le
    passage » list of the other visits) is not in the page: it is loaded when
    its row is opened (`visit_plan` GET), so the page grows linearly with the
    visits, not with their square."""
    visits = list(policy.tournee_visits(tournee))
    can_plan = policy.can_plan(request.user, tournee)
    planned = [v for v in visits if v.status == VisitStatus.PLANNED]
    rows = []
    for v in visits:
        rows.append({
            "visit": v,
            "movable": can_plan and v.status == VisitStatus.PLANNED,
            "first": planned and v.pk == planned[0].pk,
            "last": planned and v.pk == planned[-1].pk,
            "plan_form": None,  # a form with errors, shown in place (visit_plan POST)
        })
    return {
        "tournee": tournee, "rows": rows, "can_plan": can_plan,
        "can_hand_over": can_plan and bool(planned) and policy.can_dispatch(request.user),
        "svg": _svg(tournee, visits),
        "late": [v for v in visits if v.late_minutes and v.status == VisitStatus.PLANNED],
        "is_own": tournee.nurse_id == request.user.pk,
    }


def _visit_plan_form(visit: Visit, others: list[Visit], nurses, data=None) -> VisitPlanForm:
    return VisitPlanForm(data, initial={
        "expected_duration_min": visit.expected_duration_min, "locked": visit.locked,
        "locked_time": visit.planned_time if visit.locked else None,
        "after_visit": visit.after_visit_id, "required_skill": visit.required_skill,
        "lateness_cost": visit.lateness_cost, "nurse": visit.nurse_id,
    }, auto_id=f"id_plan_{visit.pk}_%s", others=others, nurses=nurses)


def _handover_nurses(user) -> list | None:
    """The nurses a visit may be handed to, for those who share the cabinet day."""
    if not policy.can_dispatch(user):
        return None
    return list(policy.tournee_nurses())


def _svg(tournee: Tournee, visits: list[Visit]) -> str:
    stops = []
    for position, v in enumerate(visits, start=1):
        if v.patient.latitude is None or v.patient.longitude is None:
            continue
        state = {"done": "done", "not_done": "not_done"}.get(v.status, "planned")
        if state == "planned" and v.late_minutes:
            state = "late"
        time_label = v.planned_time.strftime("%H:%M") if v.planned_time else ""
        stops.append(SvgStop(float(v.patient.latitude), float(v.patient.longitude),
                             str(position), f"{time_label} {v.patient}".strip(), state))
    start = (float(tournee.start_latitude), float(tournee.start_longitude)) \
        if tournee.start_latitude is not None else (stops[0].lat, stops[0].lon) if stops else (0, 0)
    end = (float(tournee.end_latitude), float(tournee.end_longitude)) \
        if tournee.end_latitude is not None else None
    # route_svg escapes every text it draws.
    return mark_safe(route_svg(start, stops, end=end, title=str(tournee)))  # noqa: S308  # nosec B308 B703 - route_svg escapes every text it draws


@require_GET
@roles(*STAFF)
def tournee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk)
    audit.record(actor=request.user, action="view", obj=tournee, view="cabinet:tournee_detail")
    return render(request, "cabinet/tournee_detail.html", _panel_context(request, tournee))


def _after_change(request, tournee: Tournee) -> HttpResponse:
    if request.htmx:
        tournee.refresh_from_db()
        return render(request, "cabinet/tournee_panel.html", _panel_context(request, tournee))
    return redirect("cabinet:tournee_detail", pk=tournee.pk)


def _change(request, tournee: Tournee, change, success: str) -> HttpResponse:
    """A planning change of the tournée (`planning.accept_tournee`, …): its
    refusal as a message, else `success`; then the tournée again."""
    with _Refusal(request) as ok:
        change(acting_user=request.user, tournee=tournee)
    if ok:
        messages.success(request, success)
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def tournee_optimise(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk, to_plan=True)
    with _Refusal(request) as ok:
        result = planning.optimise_tournee(acting_user=request.user, tournee=tournee)
    if ok:
        _report(request, result.solution)
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def tournee_accept(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk, to_plan=True)
    return _change(request, tournee, planning.accept_tournee, "Ordre des passages accepté.")


@require_POST
@roles(*NURSES)
def tournee_revert(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk, to_plan=True)
    return _change(request, tournee, planning.revert_tournee, "Ordre précédent rétabli.")


@require_POST
@roles(*NURSES)
def tournee_move(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk, to_plan=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Déplacement invalide.")
        return _after_change(request, tournee)
    visit = _get_visit_for_user(request.user, form.cleaned_data["visit"], to="plan")
    if visit.tournee_id != tournee.pk:
        raise Http404
    with _Refusal(request):
        planning.move_visit(acting_user=request.user, tournee=tournee, visit=visit,
                            direction=form.cleaned_data["direction"])
    return _after_change(request, tournee)


@require_http_methods(["GET", "POST"])
@roles(*NURSES)
def visit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit's duration, fixed time, predecessor, skill, punctuality and,
    for those who share the cabinet day, the nurse it is handed to. GET: the
    form alone (loaded into the tournée page when the visit's row is opened,
    or as a page of its own without JavaScript)."""
    visit = _get_visit_for_user(request.user, pk, to="plan")
    tournee = visit.tournee
    others = [o for o in policy.tournee_visits(tournee) if o.pk != visit.pk]
    nurses = _handover_nurses(request.user)
    if request.method == "GET":
        audit.record_view(request, obj=visit, patient_id=visit.patient_id)
        context = {"form": _visit_plan_form(visit, others, nurses), "visit": visit,
                   "tournee": tournee}
        template = "cabinet/_visit_plan_form.html" if request.htmx else "cabinet/visit_plan.html"
        return render(request, template, context)
    form = _visit_plan_form(visit, others, nurses, data=request.POST)
    if form.is_valid():
        nurse_pk = form.cleaned_data.get("nurse")
        with _Refusal(request, form) as ok:
            planning.set_visit_plan(
                acting_user=request.user, visit=visit,
                expected_duration_min=form.cleaned_data["expected_duration_min"],
                locked=form.cleaned_data["locked"], locked_time=form.cleaned_data["locked_time"],
                after_visit=next((o for o in others if o.pk == form.cleaned_data["after_visit"]),
                                 None),
                required_skill=form.cleaned_data["required_skill"].strip(),
                lateness_cost=form.cleaned_data["lateness_cost"],
                nurse=next((n for n in nurses or () if n.pk == nurse_pk), None),
            )
        if ok:
            visit.refresh_from_db(fields=["nurse"])
            if visit.nurse_id != tournee.nurse_id:
                messages.success(request, f"Passage chez {visit.patient} confié à {visit.nurse}.")
            return _after_change(request, tournee)
    context = _panel_context(request, tournee)
    for row in context["rows"]:
        if row["visit"].pk == visit.pk:
            row["plan_form"] = form
    template = "cabinet/tournee_panel.html" if request.htmx else "cabinet/tournee_detail.html"
    return render(request, template, context, status=400)


@require_GET
@roles(*STAFF)
def tournee_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_user(request.user, pk)
    visits = list(policy.tournee_visits(tournee))
    audit.record(actor=request.user, action="view", obj=tournee, view="cabinet:tournee_sheet",
                 patients=sorted({v.patient_id for v in visits}))
    return render(request, "cabinet/tournee_sheet.html", {
        "tournee": tournee, "visits": visits, "svg": _svg(tournee, visits),
    })
