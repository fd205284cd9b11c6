"""Signals other apps listen to (billing turns done visits into séances).

Sent with keyword arguments `visit` (cabinet.Visit) and `acting_user`, inside
the transaction that changed the visit, so a receiver's writes commit or roll
back with it.
"""

from django.dispatch import Signal

# A visit was marked done, or a done visit was edited (acts, time, note).
visit_completed = Signal()
# A done visit was set back to planned or not done.
visit_reopened = Signal()
