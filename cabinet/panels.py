"""Panels that other apps add to the patient page.

The patient page cannot import the apps built on top of cabinet (imports flow
one way), so they register a panel here from their AppConfig.ready(). A panel
is a URL taking `patient_id` that answers an HTML fragment to htmx requests;
the page loads it after it is shown, so the patient page's own query count
does not depend on the panels. The registry is the navigation's kind
(`core.navigation.Registry`): a panel has a label, a URL name, roles, an order.
"""

from __future__ import annotations

from core.navigation import NavItem as PatientPanel
from core.navigation import Registry

__all__ = ["PatientPanel", "patient_panels_for", "register_patient_panel"]

_PANELS = Registry()
register_patient_panel = _PANELS.register


def patient_panels_for(user) -> list[PatientPanel]:
    return _PANELS.for_role(user.role)
