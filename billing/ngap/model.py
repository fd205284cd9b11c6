"""The facts of a passage (input of the engine) and the priced result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

ZERO = Decimal(0)

PLACES = ("domicile", "cabinet", "ehpad")
# Structures that pay the nursing care themselves (not the AMO by the act).
STRUCTURES = ("had", "ssiad")
ZONES = ("plaine", "montagne", "pied_ski")
COVERAGES = ("standard", "ald", "maternite", "at_mp", "c2s")
BSI_LEVELS = ("BSA", "BSB", "BSC")
GROUPS = ("5bis", "perfusion")
# Tags an act may carry (ngap.md §9); others are ignored with a warning.
KNOWN_TAGS = frozenset(
    {
        "pansement_lourd_complexe",  # MCI at home (NGAP-23.2-1), AMX full-rate list
        "prelevement_veineux",  # NGAP-11B-X3
        "injection",
        "vaccination",  # NGAP-11B-X5
        "soins_palliatifs",  # the patient is in palliative care (NGAP-23.2-1)
        "pansement",  # a dressing (for NGAP-11B-X6)
    }
)


class QuoteError(ValueError):
    """Facts the engine cannot price (impossible values, unknown act, date
    before the first tariff). `field` names the offending input."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class PatientFacts:
    birth_date: date
    bsi_level: str | None = None
    ald: bool = False
    # Optional: lets a day quote know that a BSI forfait was already billed
    # for this patient earlier in the day (NGAP-BSI-1).
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ActFacts:
    key: str | None
    coefficient: Decimal | None = None
    label: str = ""
    id: str | None = None  # catalogue id (XVI-…): the act's properties come from it
    tags: frozenset[str] = frozenset()
    exempt_from_decote: bool | None = None  # None: from the catalogue / tags
    group: str | None = None  # "5bis" | "perfusion" | None (None: from the catalogue)
    # Bizone prescription: True = upper part (related to the ALD), False = lower
    # part, None = the passage's `care_related_to_ald`.
    ald_related: bool | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    date: date
    time: time
    place: str
    patient: PatientFacts
    acts: tuple[ActFacts, ...]
    zone: str = "plaine"
    distance_km: Decimal = ZERO
    same_agglomeration: bool = False
    urgent_night_prescribed: bool = False
    sunday_holiday_prescribed: bool = False
    urgent_call: bool = False
    palliative: bool = False
    coverage: str = "standard"
    care_related_to_ald: bool = False
    shared_travel_with_previous_patient: bool = False
    ik_km_already_billed_today: Decimal = ZERO
    bsi_forfait_already_billed_today: bool = False
    home_care_prescribed: bool = True  # NGAP-13-1
    # "had" / "ssiad": the patient's care is paid by the structure (refused).
    structure: str | None = None
    # Beyond the ngap_quote keys (Python API / the visit hand-off):
    territory: str = "metropole"
    alsace_moselle: bool = False  # NGAP-14-7


@dataclass(slots=True)
class Line:
    code: str
    coefficient: Decimal | None  # km for IK lines; None for forfaits and majorations
    rate: Decimal  # 1, 0.5 or 0
    unit_value: Decimal
    amount: Decimal
    rules: tuple[str, ...]
    label: str = ""
    kind: str = "act"  # act | forfait | majoration | travel
    zone: str | None = None  # IK lines
    catalogue_id: str | None = None
    tariff_date: date | None = None  # the date the unit value came into force
    tariff_source: str = ""
    amo_rate: Decimal = ZERO
    amo: Decimal = ZERO
    # An act billed outside the art. 11B "1 + 1/2" ranking (derogation,
    # forfait, 5bis/perfusion group, AMX full-rate list beside a forfait).
    exempt: bool = False


@dataclass(slots=True)
class Quote:
    lines: list[Line]
    total: Decimal
    amo: Decimal
    patient_share: Decimal
    amo_rate: Decimal | None  # None when the lines have different rates (bizone)
    amo_rules: tuple[str, ...]
    warnings: list[str]
    notes: list[str]  # why something is not billed (French, with rule ids)
    uncertain_rules: tuple[str, ...]  # UNCERTAIN readings that decided something
    tariff_version: date  # effective date of the tariff snapshot used
    territory: str
    ik_km_before: Decimal  # IK km already billed by the nurse that day, before
    ik_km: Decimal  # IK km of this passage, counted against the daily cap
    date: date | None = None
    time: time | None = None
    bsi_forfait_billed: bool = False  # a BSA/BSB/BSC billed by this passage
    # The day context the passage was priced in (a day quote sets it): a BSI
    # forfait already billed for the patient that day (NGAP-BSI-1).
    bsi_forfait_before: bool = False


@dataclass(slots=True)
class DayQuote:
    seances: list[Quote]
    total: Decimal
    amo: Decimal
    patient_share: Decimal
    ik_km: Decimal
    warnings: list[str] = field(default_factory=list)
