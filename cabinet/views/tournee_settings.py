"""The nurse's tournée settings: her routing profile (start point, hours,
skills) and her iCalendar feed (the secret URL and the calendar it serves)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core import audit
from core.access import NURSES, public, roles

from ..forms.tournees import RoutingProfileForm
from ..selectors import tournees as policy
from ..services import calendar_feed
from ..services.routing_profile import save_routing_profile


@roles(*NURSES)
def routing_profile(request: HttpRequest) -> HttpResponse:
    """Where the nurse's day starts and ends, her hours, her skills."""
    profile = policy.routing_profile_of(request.user)
    if request.method == "POST":
        form = RoutingProfileForm(request.POST)
        if form.is_valid():
            try:
                save_routing_profile(acting_user=request.user, nurse=request.user,
                                     **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Réglages de tournée enregistrés.")
                return redirect("cabinet:routing_profile")
        status = 400
    else:
        form = RoutingProfileForm(initial={
            "start_label": profile.start_label if profile else "",
            "start_address": profile.start_address if profile else "",
            "start_postcode": profile.start_postcode if profile else "",
            "start_city": profile.start_city if profile else "",
            "shift_start": profile.shift_start if profile else "07:00",
            "shift_end": profile.shift_end if profile else "20:30",
            "skills": ", ".join(profile.skills) if profile else "",
            "break_earliest": profile.break_earliest if profile else None,
            "break_latest": profile.break_latest if profile else None,
            "break_duration": profile.break_duration if profile else None,
        })
        status = 200
    return render(request, "cabinet/tournee_profile.html", {"form": form, "profile": profile},
                  status=status)


# -- iCalendar feed -------------------------------------------------------------------

@roles(*NURSES)
def ics_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            calendar_feed.regenerate_ics_token(acting_user=request.user, nurse=request.user)
            messages.success(request, "Nouveau lien d'agenda créé ; l'ancien ne fonctionne plus.")
        elif action == "revoke":
            calendar_feed.revoke_ics_token(acting_user=request.user, nurse=request.user)
            messages.success(request, "Lien d'agenda révoqué.")
        else:
            messages.error(request, "Action inconnue.")
        return redirect("cabinet:ics_settings")
    token = policy.active_ics_token(request.user)
    url = (request.build_absolute_uri(reverse("cabinet:ics_feed", kwargs={
        "pk": token.pk, "token": token.token})) if token else "")
    return render(request, "cabinet/tournee_ics.html", {"token": token, "feed_url": url})


@require_GET
@public
def ics_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The nurse's calendar, for her phone's agenda: the unguessable token in
    the URL is the only credential; a revoked or wrong token is a 404."""
    feed = policy.ics_feed_token(pk)
    if (
        feed is None or not feed.is_active or not feed.nurse.is_active
        or not secrets.compare_digest(feed.token.encode(), token.encode())
    ):
        raise Http404
    body, patient_ids = calendar_feed.ics_calendar_with_patients(
        feed.nurse, host=request.get_host().split(":")[0])
    # S-TRACE-1: the feed carries names and addresses; read by the nurse's phone.
    audit.record_reads(request, patient_ids=patient_ids, actor=feed.nurse,
                       view="cabinet:ics_feed")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="tournees.ics"'
    return response
