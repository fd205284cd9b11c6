"""Billing services (writes are keyword-only, take `acting_user`, are atomic
and audited).

The one pricing path — every séance, from a done visit or entered by the
secretary, is priced by the same function:

    pricing.price_day(day=…, nurse_ids=…, patient_ids=…, acting_user=…)

which builds each passage's facts straight from the models (`facts`), prices
each nurse's day with the engine's day function (`engine.quote_day`: the IK
daily cap and one BSI forfait a day live there only) and stores the lines.
Nobody calls the engine on a séance another way. The entry points:

- `visit_completed` / `visit_reopened`: the tournées' hand-off (a done visit
  becomes a priced séance; a reopened one is cancelled);
- `save_entry(acting_user=…, data=EntryData(…), seance=None,
  expected_version=None)`: THE function to create (or edit, until invoiced)
  a séance that did not come from a visit — the secretary's act entry uses
  it, and so should anyone else; it stores the entry and prices its day
  with `price_day`. `preview_entry` gives the same cotation without keeping
  anything (the live cotation of the entry page); `cancel_entry` cancels.
"""

from .entries import EntryData, EntryError, Preview, cancel_entry, preview_entry, save_entry
from .pricing import price_day
from .visits import cancel_seance, visit_completed, visit_reopened

__all__ = ["EntryData", "EntryError", "Preview", "cancel_entry", "cancel_seance", "preview_entry",
           "price_day", "save_entry", "visit_completed", "visit_reopened"]
