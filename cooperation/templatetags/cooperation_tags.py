"""`{% load cooperation_tags %}{% cooperation_panel patient %}`: the eligibility panel of
a patient, for pages of other apps (the patient page) that cannot import this app.
Renders nothing for a user who may not see the patient's cooperation data (the
secretary, the administrator: S-AUTHZ-1)."""

from __future__ import annotations

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("cooperation/_patient_panel.html", takes_context=True)
def cooperation_panel(context, patient):
    from ..views import eligibility_panel_context

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not selectors.cooperation_patients_visible_to(user).filter(
        pk=getattr(patient, "pk", None)
    ).exists():
        return {"hidden": True}
    return {**eligibility_panel_context(user, patient), "hidden": False,
            "request": request, "user": user}
