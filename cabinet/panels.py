"""Panels that other apps add to the patient page.

The patient page cannot import the apps built on top of cabinet (imports flow
one way), so they register a panel here from their AppConfig.ready(). A panel
is a URL taking `patient_id` that answers an HTML fragment to htmx requests;
the page loads it after it is shown, so the patient page's own query count
does not depend on the panels.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PatientPanel:
    title: str
    url_name: str
    roles: frozenset
    order: int = 100


_PANELS: dict[str, PatientPanel] = {}


def register_patient_panel(panel: PatientPanel) -> None:
    _PANELS[panel.url_name] = panel


def patient_panels_for(user) -> list[PatientPanel]:
    return sorted(
        (p for p in _PANELS.values() if user.role in p.roles), key=lambda p: (p.order, p.title)
    )
