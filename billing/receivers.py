"""Receivers of the cabinet signals (connected in BillingConfig.ready()):
a done visit becomes a priced séance, a reopened one is cancelled."""

from __future__ import annotations

from . import services


def on_visit_completed(sender, visit, acting_user=None, **kwargs):
    services.visit_completed(visit=visit, acting_user=acting_user)


def on_visit_reopened(sender, visit, acting_user=None, **kwargs):
    services.visit_reopened(visit=visit, acting_user=acting_user)
