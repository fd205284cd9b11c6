"""Tournées: the day's planning, one tournée (optimise, reorder, accept,
revert, the route drawing), the printable day sheet, "Ma journée" on the
phone, and the nurse's iCalendar feed. Access policy: `selectors_tournees`."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.access import public, roles
from core.models import Role

from .. import selectors_tournees as policy
from ..forms_tournees import (
    DayForm,
    DispatchForm,
    DoneForm,
    MoveForm,
    NotDoneForm,
    ReplanForm,
    RoutingProfileForm,
    VisitPlanForm,
    nurses_queryset,
)
from ..models import RoutingProfile, Tournee, Visit
from ..models.visits import IcsFeedToken, NotDoneReason, VisitStatus
from ..routing.svg import SvgStop, route_svg
from ..services import tournees as service

NURSES = (Role.TITULAIRE, Role.REMPLACANT)
STAFF = (Role.TITULAIRE, Role.REMPLACANT, Role.SECRETAIRE)


# -- objects for the user ----------------------------------------------------------

def _get_tournee_for_user(user, pk: int) -> Tournee:
    """A tournée the user may see, else 404."""
    return get_object_or_404(policy.tournees_visible_to(user).select_related("nurse"), pk=pk)


def _get_tournee_for_planning(user, pk: int) -> Tournee:
    """A tournée the user may change: 404 if unseen, 403 if read-only."""
    tournee = _get_tournee_for_user(user, pk)
    if not policy.can_plan(user, tournee):
        raise PermissionDenied
    return tournee


def _get_visit_for_planning(user, pk: int) -> Visit:
    """A visit of a tournée the user may change: 404 if unseen, 403 if read-only."""
    visit = get_object_or_404(
        Visit.objects.select_related("tournee", "patient").filter(
            tournee__in=policy.tournees_visible_to(user)),
        pk=pk,
    )
    if not policy.can_plan(user, visit.tournee):
        raise PermissionDenied
    return visit


def _field_error(form, exc: service.TourneeError) -> None:
    """The service's refusal, shown at its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _get_visit_for_nurse(user, pk: int) -> Visit:
    """One of the nurse's own visits, else 404."""
    return get_object_or_404(
        policy.visits_runnable_by(user).select_related("patient", "tournee"), pk=pk
    )


def _day(request: HttpRequest, default: date | None = None) -> date:
    form = DayForm(request.GET if "jour" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["jour"]
    return default or timezone.localdate()


def _hm(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# -- the day's planning ------------------------------------------------------------

def _render_day(request: HttpRequest, day: date, dispatch_form: DispatchForm | None = None,
                status: int = 200) -> HttpResponse:
    tournees = list(
        policy.tournees_visible_to(request.user).filter(date=day).select_related("nurse")
        .annotate(
            n_visits=Count("visits", filter=~Q(visits__status=VisitStatus.CANCELLED)),
            n_late=Count("visits", filter=Q(visits__late_minutes__gt=0,
                                            visits__status=VisitStatus.PLANNED)),
        ).order_by("nurse__username")
    )
    unassigned = Visit.objects.filter(date=day, nurse__isnull=True,
                                      status=VisitStatus.PLANNED).count()
    own_pending = 0
    if request.user.role in NURSES:
        own_pending = Visit.objects.filter(nurse=request.user, date=day).exclude(
            status=VisitStatus.CANCELLED).count()
    if dispatch_form is None and policy.can_dispatch(request.user):
        on_duty = set(Visit.objects.filter(date=day, nurse__isnull=False).values_list(
            "nurse_id", flat=True))
        dispatch_form = DispatchForm(initial={"jour": day, "nurses": sorted(on_duty)})
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
    if not Visit.objects.filter(nurse=request.user, date=day).exclude(
            status=VisitStatus.CANCELLED).exists():
        messages.warning(request, f"Aucun passage prévu pour vous le {day:%d/%m/%Y}.")
        return redirect(reverse("cabinet:tournee_day") + "?" + urlencode({"jour": day}))
    try:
        tournee = service.get_or_create_tournee(nurse=request.user, day=day)
        result = service.optimise_tournee(acting_user=request.user, tournee=tournee)
    except service.TourneeError as exc:
        messages.error(request, str(exc))
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
    try:
        result = service.dispatch_day(acting_user=request.user, day=day,
                                      nurses=list(form.cleaned_data["nurses"]),
                                      absent=list(form.cleaned_data["absent"]))
    except service.TourneeError as exc:
        if exc.field:
            _field_error(form, exc)
            return _render_day(request, day, form, status=400)
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{result.assigned} passage(s) réparti(s) ; {result.solution.km} km au total "
            f"({result.solution.drive_minutes} min de route).",
        )
        _report(request, result.solution)
        for _sid, reason in result.solution.unassigned:
            messages.warning(request, f"Un passage n'a pas pu être attribué : {reason}.")
    return redirect(reverse("cabinet:tournee_day") + "?" + urlencode({"jour": day}))


def _report(request, solution) -> None:
    if solution.late:
        names = dict(Visit.objects.filter(pk__in=[x.stop_id for x in solution.late])
                     .values_list("pk", "patient__last_name"))
        details = ", ".join(f"{names.get(x.stop_id, '?')} ({x.minutes} min)" for x in solution.late)
        level = messages.error if solution.hard_late else messages.warning
        level(request, f"Horaires impossibles à tenir — passages en retard : {details}.")
    for minutes in solution.overtime.values():
        messages.warning(request, f"Fin de journée dépassée de {minutes} min.")


# -- one tournée -------------------------------------------------------------------

def _panel_context(request, tournee: Tournee) -> dict:
    visits = list(service.tournee_visits(tournee))
    can_plan = policy.can_plan(request.user, tournee)
    planned = [v for v in visits if v.status == VisitStatus.PLANNED]
    nurses = _handover_nurses(request.user) if can_plan and planned else None
    rows = []
    for v in visits:
        rows.append({
            "visit": v,
            "movable": can_plan and v.status == VisitStatus.PLANNED,
            "first": planned and v.pk == planned[0].pk,
            "last": planned and v.pk == planned[-1].pk,
            "plan_form": VisitPlanForm(initial={
                "expected_duration_min": v.expected_duration_min, "locked": v.locked,
                "locked_time": v.planned_time if v.locked else None,
                "after_visit": v.after_visit_id, "required_skill": v.required_skill,
                "lateness_cost": v.lateness_cost, "nurse": v.nurse_id,
            }, auto_id=f"id_plan_{v.pk}_%s", others=[o for o in visits if o.pk != v.pk],
                nurses=nurses)
            if can_plan and v.status == VisitStatus.PLANNED else None,
        })
    return {
        "tournee": tournee, "rows": rows, "can_plan": can_plan,
        "svg": _svg(tournee, visits),
        "late": [v for v in visits if v.late_minutes and v.status == VisitStatus.PLANNED],
        "is_own": tournee.nurse_id == request.user.pk,
    }


def _handover_nurses(user) -> list | None:
    """The nurses a visit may be handed to, for those who share the cabinet day."""
    if not policy.can_dispatch(user):
        return None
    return list(nurses_queryset())


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
    return mark_safe(route_svg(start, stops, end=end, title=str(tournee)))  # noqa: S308


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


@require_POST
@roles(*NURSES)
def tournee_optimise(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_planning(request.user, pk)
    try:
        result = service.optimise_tournee(acting_user=request.user, tournee=tournee)
    except service.TourneeError as exc:
        messages.error(request, str(exc))
    else:
        _report(request, result.solution)
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def tournee_accept(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_planning(request.user, pk)
    service.accept_tournee(acting_user=request.user, tournee=tournee)
    messages.success(request, "Ordre des passages accepté.")
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def tournee_revert(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_planning(request.user, pk)
    try:
        service.revert_tournee(acting_user=request.user, tournee=tournee)
    except service.TourneeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Ordre précédent rétabli.")
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def tournee_move(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_planning(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Déplacement invalide.")
        return _after_change(request, tournee)
    visit = get_object_or_404(Visit, pk=form.cleaned_data["visit"], tournee=tournee)
    try:
        service.move_visit(acting_user=request.user, tournee=tournee, visit=visit,
                           direction=form.cleaned_data["direction"])
    except service.TourneeError as exc:
        messages.error(request, str(exc))
    return _after_change(request, tournee)


@require_POST
@roles(*NURSES)
def visit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit's duration, fixed time, predecessor, skill, punctuality and,
    for those who share the cabinet day, the nurse it is handed to."""
    visit = _get_visit_for_planning(request.user, pk)
    tournee = visit.tournee
    others = [o for o in service.tournee_visits(tournee) if o.pk != visit.pk]
    nurses = _handover_nurses(request.user)
    form = VisitPlanForm(request.POST, auto_id=f"id_plan_{visit.pk}_%s", others=others,
                         nurses=nurses)
    if form.is_valid():
        nurse_pk = form.cleaned_data.get("nurse")
        try:
            service.set_visit_plan(
                acting_user=request.user, visit=visit,
                expected_duration_min=form.cleaned_data["expected_duration_min"],
                locked=form.cleaned_data["locked"], locked_time=form.cleaned_data["locked_time"],
                after_visit=next((o for o in others if o.pk == form.cleaned_data["after_visit"]),
                                 None),
                required_skill=form.cleaned_data["required_skill"].strip(),
                lateness_cost=form.cleaned_data["lateness_cost"],
                nurse=next((n for n in nurses or () if n.pk == nurse_pk), None),
            )
        except service.TourneeError as exc:
            _field_error(form, exc)
        else:
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
    visits = list(service.tournee_visits(tournee))
    audit.record(actor=request.user, action="view", obj=tournee, view="cabinet:tournee_sheet",
                 patients=sorted({v.patient_id for v in visits}))
    return render(request, "cabinet/tournee_sheet.html", {
        "tournee": tournee, "visits": visits, "svg": _svg(tournee, visits),
    })


# -- Ma journée ----------------------------------------------------------------------

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


def _my_day_context(request, day: date, bound: dict | None = None) -> dict:
    visits = list(
        Visit.objects.filter(nurse=request.user, date=day)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("sequence", "planned_time", "window_start", "pk")
    )
    bound = bound or {}
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
        "tournee": Tournee.objects.filter(nurse=request.user, date=day).first(),
        "done_count": sum(1 for i in items if i["visit"].status == VisitStatus.DONE),
        "replan_offer": request.GET.get("replanifier") == "1",
        "reasons": NotDoneReason.choices,
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


def _my_day_url(day: date, **extra) -> str:
    return reverse("cabinet:my_day") + "?" + urlencode({"jour": day.isoformat(), **extra})


@require_POST
@roles(*NURSES)
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit_for_nurse(request.user, pk)
    form = DoneForm(request.POST, visit=visit)
    if not form.is_valid():
        return _render_my_day(request, visit.date, {("done", visit.pk): form}, status=400)
    done_time = form.cleaned_data["done_time"]
    was_done = visit.status == VisitStatus.DONE
    if done_time:
        done_at = timezone.make_aware(datetime.combine(visit.date, done_time))
    else:
        # A correction without a time keeps the time first noted.
        done_at = visit.done_at if was_done else None
    try:
        service.mark_done(
            acting_user=request.user, visit=visit, done_at=done_at,
            performed=form.cleaned_data["performed"], note=form.cleaned_data["note"],
            actual_duration_min=form.cleaned_data["actual_duration_min"],
        )
    except service.TourneeError as exc:
        _field_error(form, exc)
        return _render_my_day(request, visit.date, {("done", visit.pk): form}, status=400)
    if was_done:
        messages.success(request, f"Passage chez {visit.patient} corrigé.")
    else:
        messages.success(request, f"Passage chez {visit.patient} noté fait.")
    return redirect(_my_day_url(visit.date))


@require_POST
@roles(*NURSES)
def visit_not_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit_for_nurse(request.user, pk)
    form = NotDoneForm(request.POST, visit=visit)
    if not form.is_valid():
        return _render_my_day(request, visit.date, {("not_done", visit.pk): form}, status=400)
    try:
        service.mark_not_done(acting_user=request.user, visit=visit,
                              reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
    except service.TourneeError as exc:
        _field_error(form, exc)
        return _render_my_day(request, visit.date, {("not_done", visit.pk): form}, status=400)
    messages.warning(request, f"Passage chez {visit.patient} noté non fait.")
    return redirect(_my_day_url(visit.date, replanifier="1"))


@require_POST
@roles(*NURSES)
def visit_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _get_visit_for_nurse(request.user, pk)
    try:
        service.reopen_visit(acting_user=request.user, visit=visit)
    except service.TourneeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Passage chez {visit.patient} remis à faire.")
    return redirect(_my_day_url(visit.date))


@require_POST
@roles(*NURSES)
def tournee_replan(request: HttpRequest, pk: int) -> HttpResponse:
    tournee = _get_tournee_for_planning(request.user, pk)
    form = ReplanForm(request.POST)
    position = None
    if form.is_valid():
        lat, lon = form.cleaned_data["latitude"], form.cleaned_data["longitude"]
        if lat is not None and lon is not None:
            position = (lat, lon)
    try:
        solution = service.replan_rest_of_day(acting_user=request.user, tournee=tournee,
                                              position=position)
    except service.TourneeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "La suite de la journée a été re-planifiée.")
        _report(request, solution)
    if tournee.nurse_id == request.user.pk:
        return redirect(_my_day_url(tournee.date))
    return redirect("cabinet:tournee_detail", pk=tournee.pk)


# -- the nurse's routing profile -----------------------------------------------------

@roles(*NURSES)
def routing_profile(request: HttpRequest) -> HttpResponse:
    """Where the nurse's day starts and ends, her hours, her skills."""
    profile = RoutingProfile.objects.filter(nurse=request.user).first()
    if request.method == "POST":
        form = RoutingProfileForm(request.POST)
        if form.is_valid():
            service.save_routing_profile(acting_user=request.user, nurse=request.user,
                                         **form.cleaned_data)
            messages.success(request, "Réglages de tournée enregistrés.")
            return redirect("cabinet:routing_profile")
        status = 400
    else:
        form = RoutingProfileForm(initial={
            "start_label": profile.start_label if profile else "",
            "start_latitude": profile.start_latitude if profile else None,
            "start_longitude": profile.start_longitude if profile else None,
            "shift_start": profile.shift_start if profile else "07:00",
            "shift_end": profile.shift_end if profile else "20:30",
            "skills": ", ".join(profile.skills) if profile else "",
        })
        status = 200
    return render(request, "cabinet/tournee_profile.html", {"form": form}, status=status)


# -- iCalendar feed -------------------------------------------------------------------

@roles(*NURSES)
def ics_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            service.regenerate_ics_token(acting_user=request.user, nurse=request.user)
            messages.success(request, "Nouveau lien d'agenda créé ; l'ancien ne fonctionne plus.")
        elif action == "revoke":
            service.revoke_ics_token(acting_user=request.user, nurse=request.user)
            messages.success(request, "Lien d'agenda révoqué.")
        else:
            messages.error(request, "Action inconnue.")
        return redirect("cabinet:ics_settings")
    token = service.active_ics_token(request.user)
    url = (request.build_absolute_uri(reverse("cabinet:ics_feed", kwargs={
        "pk": token.pk, "token": token.token})) if token else "")
    return render(request, "cabinet/tournee_ics.html", {"token": token, "feed_url": url})


@require_GET
@public
def ics_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The nurse's calendar, for her phone's agenda: the unguessable token in
    the URL is the only credential; a revoked or wrong token is a 404."""
    feed = IcsFeedToken.objects.select_related("nurse").filter(pk=pk).first()
    if (
        feed is None or not feed.is_active or not feed.nurse.is_active
        or not secrets.compare_digest(feed.token.encode(), token.encode())
    ):
        raise Http404
    body = service.ics_calendar(feed.nurse, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="tournees.ics"'
    return response
