"""The NGAP cotation engine: a pure function from the facts of one passage to
the billed lines, each with the rule ids (docs/domain/ngap.md) that produced
it. No ORM, no I/O: tariffs and catalogue are loaded once and passed in.

Algorithm (ngap.md §8):
1. the tariff snapshot in force on the date of care (territory);
2. the acts: BSI forfaits (one per patient-day), AIS séances, then the
   art. 11B ranking with its derogations (perfusions, 5bis, prélèvement,
   vaccination, analgésie, post-op) and, beside a forfait or an AIS séance,
   the AMX lists;
3. majorations: MAU, MCI, MIE, night or Sunday/holiday (one, the higher);
4. travel at home: IFD or IFI, IK with the abattement and the daily cap;
5. amounts per line (half-up to the cent), AMO per line, patient share.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from . import catalogue as cat
from . import rules as R
from .calendar import holiday_name, is_uncertain_holiday
from .model import (
    BSI_LEVELS,
    COVERAGES,
    GROUPS,
    KNOWN_TAGS,
    PLACES,
    ZERO,
    ZONES,
    ActFacts,
    DayQuote,
    Line,
    Passage,
    Quote,
    QuoteError,
)
from .tariffs import Snapshot, TariffError, TariffTable
from .tariffs import load as load_tariffs

ONE = Decimal(1)
HALF = Decimal("0.5")
CENT = Decimal("0.01")
_ROUNDING = getattr(decimal, R.ROUNDING)
EIGHT_AM = time(8, 0)

_IK_PARAMS = {
    "plaine": ("IK_PLAINE", "IK_SEUIL_PLAINE", "IK_ABATTEMENT_PLAINE"),
    "montagne": ("IK_MONTAGNE", "IK_SEUIL_MONTAGNE", "IK_ABATTEMENT_MONTAGNE"),
    "pied_ski": ("IK_PIED_SKI", "IK_SEUIL_PIED_SKI", "IK_ABATTEMENT_PIED_SKI"),
}
_ZONE_LABEL = {"plaine": "plaine", "montagne": "montagne", "pied_ski": "à pied / à ski"}
_LABELS = {
    "IFD": "Indemnité forfaitaire de déplacement",
    "IFI": "Indemnité forfaitaire infirmier (dépendance)",
    "MAU": "Majoration acte unique",
    "MCI": "Majoration de coordination infirmière",
    "MIE": "Majoration jeune enfant",
    "NUIT": "Majoration de nuit",
    "NUIT_PROF": "Majoration de milieu de nuit",
    "DIM": "Majoration dimanche / jour férié",
    "IK": "Indemnités kilométriques",
}
_KEYS = frozenset(cat.KEYS)


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (NGAP-11B-3)."""
    return value.quantize(CENT, rounding=_ROUNDING)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# ---------------------------------------------------------------- the acts


class _Props:
    """The resolved, immutable properties of an act (cached per snapshot)."""

    __slots__ = (
        "key", "coef", "label", "cat", "cat_id", "tags", "exempt", "group", "is_pds",
        "is_vacc", "is_analg", "is_postop_seance", "is_postop_retrait", "is_bilan_plaie",
        "is_pansement", "mci", "palliative", "full_rate_list", "tariff", "unit", "full",
        "sort_key", "warnings", "ald_related", "is_forfait", "orgsurv", "kind", "catalogue_id",
    )


class _Act:
    """One act of the passage: its properties, then its code, rate and rules."""

    __slots__ = ("p", "code", "rate", "rules", "order", "exempt")

    def __init__(self, props: _Props):
        self.p = props
        self.code = props.key
        self.rate = ONE
        self.rules = []
        self.order = 3
        # Billed outside the 1 + 1/2 ranking (a derogation, a forfait, a group).
        self.exempt = False


def _props(facts: ActFacts, index: int, snap: Snapshot) -> _Props:
    memo = snap.memo
    try:
        cached = memo.get(facts)
    except TypeError:  # unhashable facts (a list of tags given by a caller)
        cached = None
    if cached is not None:
        return cached
    where = f"acts[{index}]"
    entry = None
    if facts.id is not None:
        entry = cat.get(facts.id)
        if entry is None:
            raise QuoteError(f"acte inconnu du catalogue : {facts.id}", f"{where}.id")
    key = facts.key or (entry.key if entry else None)
    if key is None:
        raise QuoteError("lettre-clé manquante", f"{where}.key")
    if key not in _KEYS:
        raise QuoteError(f"lettre-clé inconnue : {key}", f"{where}.key")
    if entry is None and key in cat.EURO_FORFAITS:
        entry = cat.default_for_key(key)
    coef = facts.coefficient
    if key in cat.EURO_FORFAITS:
        if coef is not None and coef != ONE:
            raise QuoteError(f"{key} est un forfait : coefficient null attendu", f"{where}.coefficient")
        coef = None
    else:
        if coef is None and entry is not None:
            coef = entry.coefficient
        if coef is None:
            raise QuoteError(f"coefficient manquant pour {key}", f"{where}.coefficient")
        if coef <= ZERO:
            raise QuoteError("le coefficient doit être positif", f"{where}.coefficient")
    if key not in snap.values:
        raise QuoteError(
            f"{key} n'existe pas à cette date (tarifs en vigueur au {snap.effective.isoformat()})",
            f"{where}.key",
        )
    group = facts.group
    if group is None and entry is not None and entry.group:
        group = entry.group
    if group is not None and group not in GROUPS:
        raise QuoteError(f"groupe inconnu : {group}", f"{where}.group")
    tags = frozenset(facts.tags)
    label = facts.label or (entry.designation if entry else "")
    name = f"{key} {cat.format_coefficient(coef)}".strip() + (f" ({label})" if label else "")
    warnings = []
    if entry is not None and facts.id is not None:
        if key != entry.key and not (key == "AMX" and entry.key == "AMI"):
            warnings.append(f"{name} : lettre-clé différente du catalogue ({entry.id} : {entry.key}).")
        elif coef is not None and coef != entry.coefficient:
            warnings.append(f"{name} : coefficient différent du catalogue ({entry.id} : {entry.cotation}).")
    unknown = tags - KNOWN_TAGS
    if unknown:
        warnings.append(f"{name} : étiquettes ignorées : {', '.join(sorted(unknown))}.")

    a = _Props()
    a.key = key
    a.coef = coef
    a.label = label
    a.cat = entry
    entry_id = a.cat_id = entry.id if entry else ""
    a.tags = tags
    a.exempt = facts.exempt_from_decote
    a.group = group
    a.is_pds = "prelevement_veineux" in tags or entry_id in cat.PRELEVEMENT_IDS
    a.is_vacc = "vaccination" in tags or entry_id in cat.VACCINATION_IDS
    a.is_analg = entry_id in cat.ANALGESIE_IDS
    a.is_postop_seance = entry_id in cat.POSTOP_SEANCE_IDS
    a.is_postop_retrait = entry_id in cat.POSTOP_RETRAIT_IDS
    a.is_bilan_plaie = entry_id in cat.BILAN_PLAIE_IDS
    a.orgsurv = entry_id in cat.PERFUSION_ORGSURV_IDS
    heavy = "pansement_lourd_complexe" in tags
    a.mci = heavy or bool(entry and entry.mci_eligible)
    a.palliative = "soins_palliatifs" in tags
    a.is_pansement = heavy or "pansement" in tags or bool(entry and entry.is_pansement)
    if entry is not None and facts.id is not None:
        a.full_rate_list = entry.bsi_full_rate
    else:
        a.full_rate_list = heavy or a.is_pds or group == "perfusion"
    a.ald_related = facts.ald_related
    a.is_forfait = key in cat.BSI_FORFAITS
    a.kind = "forfait" if key in cat.EURO_FORFAITS or key == "DI" else "act"
    a.catalogue_id = entry_id or None
    a.tariff = snap.values[key]
    a.unit = a.tariff.value
    a.full = a.unit * coef if coef is not None else a.unit
    a.warnings = tuple(warnings)
    a.sort_key = (
        -a.full, -(coef or ZERO), key, entry_id, label, tuple(sorted(tags)),
        a.exempt is True, a.exempt is False, group or "", a.ald_related is True,
        a.ald_related is False,
    )
    if len(memo) < 20_000:
        try:
            memo[facts] = a
        except TypeError:
            pass
    return a


class _Unit:
    """A unit of the art. 11B ranking: one act, or a 5bis / perfusion group."""

    __slots__ = ("members", "kind", "sort_key", "full_rate_list")

    def __init__(self, members: list[_Act], kind: str):
        self.members = members
        self.kind = kind
        if kind == "act":
            props = members[0].p
            self.sort_key = (1, props.sort_key[0], 1, (props.sort_key,))
            self.full_rate_list = props.full_rate_list
        else:
            full = ZERO
            for m in members:
                full += m.p.full
            # Perfusion forfaits are the first act whatever the coefficients (X1).
            # A 5bis group as heavy as an act: which one is halved is the
            # reading R.FIVEBIS_GROUP_WHOLE_ON_TIE (NGAP-11B-X2, UNCERTAIN).
            tie = 0 if kind == "5bis" and R.FIVEBIS_GROUP_WHOLE_ON_TIE else 1
            self.sort_key = (0 if kind == "perfusion" else 1, -full, tie,
                             tuple(m.p.sort_key for m in members))
            self.full_rate_list = kind == "perfusion" or any(m.p.full_rate_list for m in members)

    def set(self, rate: Decimal, rule_ids: tuple[str, ...], exempt: bool = False) -> None:
        group_rule = ("NGAP-11B-X1",) if self.kind == "perfusion" else (
            ("NGAP-11B-X2",) if self.kind == "5bis" else ())
        exempt = exempt or self.kind != "act"
        for m in self.members:
            m.rate = rate
            m.rules.extend(rule_ids)
            m.rules.extend(group_rule)
            m.exempt = exempt


_FIRST = ("NGAP-11B-1",)
_SECOND = ("NGAP-11B-1", "NGAP-11B-2", "NGAP-11B-3")
_DROPPED = ("NGAP-11B-1",)


def _rank(units: list[_Unit], pds: _Act | None, extra: tuple[str, ...], uncertain: set,
          warnings: list[str], exempt: bool = False) -> None:
    """Art. 11B "1 + 1/2" over the units (NGAP-11B-1, -2, -3), with the
    prélèvement derogation (NGAP-11B-X3) when `pds` is given."""
    if len(units) > 1:
        units.sort(key=lambda u: u.sort_key)
        first, second = units[0], units[1]
        if (first.sort_key[:2] == second.sort_key[:2] and "5bis" in (first.kind, second.kind)
                and first.kind != second.kind):
            uncertain.add("NGAP-11B-X2")
            kept, halved = ("le groupe 5bis", "l'autre acte") if first.kind == "5bis" else (
                "l'autre acte", "le groupe 5bis")
            warnings.append(f"NGAP-11B-X2 (lecture incertaine) : à coefficients égaux, {kept} "
                            f"est facturé à taux plein et {halved} à 50 %.")
    if pds is not None and not R.PRELEVEMENT_TAKES_A_SLOT:
        # The other reading: the sample stands beside the ranking of the others.
        uncertain.add("NGAP-11B-X3")
        pds.rate = ONE
        pds.rules.extend(("NGAP-11B-X3", *extra))
        pds.exempt = True
        pds = None
    if pds is not None:
        pds.rate = ONE
        pds.rules.extend(("NGAP-11B-1", "NGAP-11B-X3", *extra))
        pds.exempt = True
        if units:
            uncertain.add("NGAP-11B-X3")
            units[0].set(ONE, ("NGAP-11B-1", "NGAP-11B-X3", *extra), exempt)
            for unit in units[1:]:
                unit.set(ZERO, ("NGAP-11B-1", "NGAP-11B-X3", *extra), exempt)
            if len(units) > 1:
                warnings.append(
                    "NGAP-11B-X3 (lecture incertaine) : avec un prélèvement veineux, deux actes "
                    "sont facturés à taux plein et les suivants ne le sont pas."
                )
        return
    for i, unit in enumerate(units):
        if i == 0:
            unit.set(ONE, _FIRST + extra, exempt)
        elif i == 1:
            unit.set(HALF, _SECOND + extra, exempt)
        else:
            unit.set(ZERO, _DROPPED + extra, exempt)


def _price_acts(acts: list[_Act], passage: Passage, bsi_today: bool, uncertain: set,
                warnings: list[str], notes: list[str]) -> tuple[bool, bool, bool]:
    """Sets each act's code, rate and rules (acts in canonical order).
    Returns (forfait_listed, amx_context, dependence_passage)."""
    # Fast path: one ordinary act, no BSI day.
    if len(acts) == 1 and not bsi_today:
        a = acts[0]
        props = a.p
        if (props.key in ("AMI", "TMI", "TLL", "TLD") and props.exempt is not True
                and not props.is_vacc and not props.is_analg and not props.is_postop_retrait):
            a.rules.append("NGAP-11B-1")
            if props.is_pds and props.exempt is not False and props.group is None:
                a.rules.append("NGAP-11B-X3")
            if props.group == "perfusion":
                a.rules.append("NGAP-11B-X1")
                a.exempt = True
            elif props.group == "5bis":
                a.rules.append("NGAP-11B-X2")
                a.exempt = True
            return False, False, False

    home = passage.place in _AT_HOME
    forfaits = [a for a in acts if a.p.is_forfait]
    forfait_listed = bool(forfaits)
    bsi_day = forfait_listed or bsi_today
    level = passage.patient.bsi_level

    # BSI forfaits: one per patient and per day (NGAP-BSI-1).
    for i, a in enumerate(forfaits):
        a.order = 0
        a.exempt = True
        if bsi_today:
            a.rate = ZERO
            a.rules.append("NGAP-BSI-1")
            notes.append(f"{a.p.key} : forfait déjà facturé aujourd'hui pour ce patient (NGAP-BSI-1).")
        elif i == 0:
            a.rules += ["NGAP-BSI-1", "NGAP-11B-X8"]
        else:
            a.rate = ZERO
            a.rules.append("NGAP-BSI-1")
            notes.append(f"{a.p.key} : un seul forfait BSI par patient et par jour (NGAP-BSI-1).")
    if forfaits:
        if level is None:
            warnings.append("Forfait BSI facturé alors que le niveau BSI du patient n'est pas "
                            "renseigné.")
        elif any(a.p.key != level for a in forfaits):
            warnings.append(f"Forfait différent du niveau BSI du patient ({level}).")

    # AIS séances: not with a BSI forfait (NGAP-BSI-2, reading).
    ais_billed = False
    for a in acts:
        if a.p.key != "AIS":
            continue
        a.order = 1
        a.exempt = True
        if bsi_day and R.AIS_DROPPED_WITH_BSI:
            a.rate = ZERO
            a.rules.append("NGAP-BSI-2")
            uncertain.add("NGAP-BSI-2")
            notes.append("Séance AIS non cumulable avec un forfait BSI du jour (NGAP-BSI-2).")
        else:
            a.rules.append("NGAP-11B-1")
            ais_billed = True

    # The avenant-11 project, which would allow only AMX beside a BSI forfait,
    # is not signed: the avenant-6 lists below apply (NGAP-BSI-8).
    amx_context = bsi_day or ais_billed
    dependence = forfait_listed
    has_pansement = has_postop = False
    for a in acts:
        has_pansement = has_pansement or a.p.is_pansement
        has_postop = has_postop or a.p.is_postop_seance

    perfusion, fivebis, ordinary, pds_list = [], [], [], []
    for a in acts:
        props = a.p
        key = props.key
        if props.is_forfait or key == "AIS":
            continue
        if key == "AMI" and amx_context:
            a.code = "AMX"
        elif key == "AMX" and not amx_context:
            warnings.append("AMX sans forfait BSI ni séance AIS : vérifier la lettre-clé "
                            "(NGAP-BSI-5).")
        if a.code == "AMX":
            a.rules.append("NGAP-BSI-5")
        if key == "DI":
            # The BSI assessment: billed in full (NGAP-BSI-3).
            a.order = 2
            a.exempt = True
            a.rules.append("NGAP-BSI-3")
            dependence = True
            continue
        if props.exempt is False:
            ordinary.append(a)
        elif props.group == "perfusion":
            perfusion.append(a)
        elif props.group == "5bis":
            fivebis.append(a)
        elif props.is_pds:
            pds_list.append(a)
        else:
            derogation = _derogation(props, home, has_pansement, has_postop, uncertain)
            if derogation is None:
                ordinary.append(a)
            else:
                a.rules.extend(derogation)
                a.exempt = True
                if props.exempt is True and derogation == ("NGAP-11B-1",):
                    warnings.append(
                        f"{a.code} {cat.format_coefficient(props.coef)} : hors décote déclaré "
                        "(exempt_from_decote) sans dérogation connue de l'art. 11B."
                    )

    pds = None
    if pds_list and fivebis:
        # NGAP-11B-X2 × X3: the CPAM example with a 5bis group halves the sample.
        uncertain.add("NGAP-11B-X2")
        if not R.PRELEVEMENT_FULL_RATE_WITH_5BIS:
            ordinary.extend(pds_list)
            pds_list = []
    if pds_list:
        pds = pds_list[0]  # acts are in canonical order
        ordinary.extend(pds_list[1:])

    units = [_Unit([a], "act") for a in ordinary]
    if perfusion:
        units.append(_Unit(perfusion, "perfusion"))
    if fivebis:
        units.append(_Unit(fivebis, "5bis"))

    if not amx_context:
        _rank(units, pds, (), uncertain, warnings)
    else:
        # Beside a forfait or an AIS séance (NGAP-BSI-5, NGAP-11B-X4, X8).
        full_list = [u for u in units if u.full_rate_list]
        degressive = [u for u in units if not u.full_rate_list]
        extra = ("NGAP-11B-X8",) if bsi_day else ("NGAP-11B-X4",)
        if len(full_list) > 1:
            uncertain.add("NGAP-BSI-5")
        _rank(full_list, pds, extra, uncertain, warnings, exempt=True)
        if degressive:
            degressive.sort(key=lambda u: u.sort_key)
            if R.AMX_FORFAIT_IS_FIRST_ACT:
                uncertain.add("NGAP-BSI-5")
                for i, unit in enumerate(degressive):
                    unit.set(HALF if i == 0 else ZERO, _SECOND if i == 0 else _DROPPED)
                notes.append(
                    "Forfait BSI ou séance AIS compté comme premier acte : acte de la liste "
                    "« dégressivité » à 50 % (NGAP-BSI-5, lecture incertaine)."
                )
            else:  # pragma: no cover - alternative reading
                _rank(degressive, None, (), uncertain, warnings)
    return forfait_listed, amx_context, dependence


def _derogation(a: _Props, home: bool, has_pansement: bool, has_postop: bool,
                uncertain: set) -> tuple[str, ...] | None:
    """The art. 11B derogation that bills this act at full rate outside the
    ranking, or None. Scoped derogations are readings (ngap.md §2)."""
    declared = a.exempt is True
    if a.is_vacc:
        uncertain.add("NGAP-11B-X5")
        if declared or home or not R.VACCINATION_EXEMPT_AT_HOME_ONLY:
            return ("NGAP-11B-X5",)
        return None
    if a.is_analg:
        uncertain.add("NGAP-11B-X6")
        if declared or has_pansement or not R.ANALGESIE_NEEDS_PANSEMENT:
            return ("NGAP-11B-X6",)
        return None
    if a.is_postop_retrait:
        uncertain.add("NGAP-11B-X7")
        if declared or has_postop or not R.POSTOP_RETRAIT_NEEDS_SEANCE:
            return ("NGAP-11B-X7",)
        return None
    if declared:
        return ("NGAP-11B-1",)
    if a.cat is not None and a.cat.exempt_from_decote:
        # TLS and the like: full rate by the catalogue (its notes say why).
        return (a.cat.id,)
    return None


# ---------------------------------------------------------------- the acts block


class _Block:
    """The priced acts of a passage: depends only on the acts (their resolved
    properties, in canonical order), the BSI day, the place and the patient's
    BSI level, so it is cached per tariff snapshot (care plans repeat)."""

    __slots__ = (
        "specs", "ald_zones", "billed_flags", "billed", "forfait_listed", "amx_context",
        "dependence", "palliative", "orgsurv_only", "eligible_heavy", "bilan_plaie",
        "has_ald_zone", "warnings", "notes", "uncertain", "forfait_billed", "telesoin_only",
    )


def _acts_block(p: Passage, snap: Snapshot, bsi_today: bool, home: bool) -> _Block:
    props = [_props(f, i, snap) for i, f in enumerate(p.acts)]
    if len(props) > 1:
        # Canonical order: the result never depends on the order of the input.
        props.sort(key=_props_key)
    key = (tuple(props), bsi_today, home, p.patient.bsi_level)
    memo = snap.memo
    block = memo.get(key)
    if block is None:
        block = _price_block(props, p, snap, bsi_today)
        if len(memo) < 50_000:
            memo[key] = block
    return block


def _props_key(props: _Props):
    return props.sort_key


def _price_block(props_list: list[_Props], p: Passage, snap: Snapshot, bsi_today: bool) -> _Block:
    warnings: list[str] = []
    notes: list[str] = []
    uncertain: set[str] = set()
    acts = [_Act(props) for props in props_list]
    for a in acts:
        if a.p.warnings:
            warnings.extend(a.p.warnings)
    forfait_listed, amx_context, dependence = _price_acts(
        acts, p, bsi_today, uncertain, warnings, notes
    )
    if len(acts) > 1:
        acts.sort(key=lambda a: (a.rate == ZERO, a.order, -a.rate, a.p.sort_key))
    b = _Block()
    specs, billed = [], []
    palliative = eligible_heavy = bilan_plaie = False
    orgsurv_only = True
    for a in acts:
        props = a.p
        if a.code == props.key:
            tv = props.tariff
            full = props.full
        else:  # AMI billed AMX: the AMX value
            tv = snap.values[a.code]
            full = tv.value * props.coef
        rules = tuple(dict.fromkeys(a.rules))
        rate = a.rate
        amount = _amount(full, rate)
        specs.append((a.code, props.coef, rate, tv.value, amount, rules, props.label, props.kind,
                      None, props.catalogue_id, tv.since, tv.source, ZERO, ZERO, a.exempt))
        if rate:
            billed.append((a.code, props.coef))
            if rate == HALF and amount != full * HALF:
                uncertain.add("NGAP-11B-3")
        palliative = palliative or props.palliative
        orgsurv_only = orgsurv_only and props.orgsurv
        eligible_heavy = eligible_heavy or props.mci
        bilan_plaie = bilan_plaie or props.is_bilan_plaie
    b.specs = tuple(specs)
    b.ald_zones = tuple(a.p.ald_related for a in acts)
    b.billed_flags = tuple(bool(a.rate) for a in acts)
    b.has_ald_zone = any(z is not None for z in b.ald_zones)
    b.billed = tuple(billed)
    b.forfait_billed = any(code in cat.BSI_FORFAITS for code, _ in billed)
    b.telesoin_only = all(a.p.key == "TMI" for a in acts)
    b.forfait_listed = forfait_listed
    b.amx_context = amx_context
    b.dependence = dependence
    b.palliative = palliative
    b.orgsurv_only = orgsurv_only
    b.eligible_heavy = eligible_heavy
    b.bilan_plaie = bilan_plaie
    b.warnings = tuple(warnings)
    b.notes = tuple(notes)
    b.uncertain = frozenset(uncertain)
    return b


# ---------------------------------------------------------------- the line

_AMOUNTS: dict = {}


def _amount(base: Decimal, rate: Decimal) -> Decimal:
    key = (base, rate)
    amount = _AMOUNTS.get(key)
    if amount is None:
        amount = money(base * rate) if rate else ZERO_CENTS
        if len(_AMOUNTS) < 50_000:
            _AMOUNTS[key] = amount
    return amount


ZERO_CENTS = ZERO.quantize(CENT)


def _line(code: str, coefficient: Decimal | None, rate: Decimal, tv, rules: tuple,
          label: str, kind: str, zone: str | None = None, catalogue_id: str | None = None) -> Line:
    unit = tv.value
    return Line(
        code, coefficient, rate, unit,
        _amount(unit * coefficient if coefficient is not None else unit, rate),
        rules, label, kind, zone, catalogue_id, tv.since, tv.source,
    )


# ---------------------------------------------------------------- validation


_PLACES, _ZONES, _COVERAGES = frozenset(PLACES), frozenset(ZONES), frozenset(COVERAGES)
# Care at the patient's home: the resident's EHPAD is one (travel due, one
# IFD for several residents of the same trip, NGAP-13-2), without the MCI.
_AT_HOME = frozenset({"domicile", "ehpad"})
_STRUCTURE_NAMES = {"had": "en hospitalisation à domicile (HAD)",
                    "ssiad": "par un service de soins infirmiers à domicile (SSIAD)"}


def validate(p: Passage, table: TariffTable) -> None:
    if p.place not in _PLACES:
        raise QuoteError(f"lieu inconnu : {p.place}", "place")
    if p.structure is not None:
        name = _STRUCTURE_NAMES.get(p.structure)
        if name is None:
            raise QuoteError(f"structure inconnue : {p.structure}", "structure")
        raise QuoteError(
            f"Patient pris en charge {name} : ses soins infirmiers sont payés par la structure, "
            "pas à l'acte par l'assurance maladie. Facturez la structure selon la convention "
            "passée avec elle.", "structure")
    if p.zone not in _ZONES:
        raise QuoteError(f"zone inconnue : {p.zone}", "zone")
    if p.coverage not in _COVERAGES:
        raise QuoteError(f"couverture inconnue : {p.coverage}", "coverage")
    if p.distance_km < ZERO:
        raise QuoteError("la distance ne peut pas être négative", "distance_km")
    if p.ik_km_already_billed_today < ZERO:
        raise QuoteError("le kilométrage déjà facturé ne peut pas être négatif",
                         "ik_km_already_billed_today")
    if p.patient.bsi_level is not None and p.patient.bsi_level not in BSI_LEVELS:
        raise QuoteError(f"niveau BSI inconnu : {p.patient.bsi_level}", "patient.bsi_level")
    if p.patient.birth_date > p.date:
        raise QuoteError("date de naissance postérieure à la date des soins", "patient.birth_date")
    if not p.acts:
        raise QuoteError("au moins un acte est nécessaire", "acts")
    if p.territory not in table.territories:
        raise QuoteError(f"territoire inconnu : {p.territory}", "territory")


# ---------------------------------------------------------------- quote


def quote(passage: Passage, tariffs: TariffTable | None = None, *,
          ik_km_before: Decimal | None = None, bsi_forfait_today: bool | None = None) -> Quote:
    """Price one passage. `ik_km_before` and `bsi_forfait_today` override the
    passage's own day facts (used by `quote_day`)."""
    table = tariffs if tariffs is not None else load_tariffs()
    p = passage
    validate(p, table)
    try:
        snap = table.at(p.territory, p.date)
    except TariffError as exc:
        raise QuoteError(str(exc), "date") from None
    warnings: list[str] = []
    notes: list[str] = []
    uncertain: set[str] = set()
    if table.verified_until is not None and p.date > table.verified_until:
        warnings.append(
            f"Tarifs vérifiés jusqu'au {table.verified_until:%d/%m/%Y} seulement : un avenant "
            f"postérieur (avenant 11) a pu changer les valeurs ; vérifiez-les avant de facturer.")
    bsi_today = p.bsi_forfait_already_billed_today if bsi_forfait_today is None else bsi_forfait_today
    ik_before = p.ik_km_already_billed_today if ik_km_before is None else ik_km_before

    home = p.place in _AT_HOME
    block = _acts_block(p, snap, bsi_today, home)
    if block.warnings:
        warnings.extend(block.warnings)
    if block.notes:
        notes.extend(block.notes)
    if block.uncertain:
        uncertain.update(block.uncertain)
    lines: list[Line] = [Line(*spec) for spec in block.specs]
    forfait_listed = block.forfait_listed
    amx_context = block.amx_context
    dependence = block.dependence
    palliative = p.palliative or block.palliative
    orgsurv_only = block.orgsurv_only
    eligible_heavy = block.eligible_heavy
    bilan_plaie = block.bilan_plaie
    billed = block.billed  # (code, coefficient) of the billed acts

    if orgsurv_only:
        notes.append("Forfait d'organisation de la surveillance d'une perfusion : ni frais de "
                     "déplacement ni majoration (XVI-2-3-ORGSURV).")

    # ---- travel: IFD or IFI (NGAP-13-1, NGAP-13-2, NGAP-BSI-4)
    travel = home and not orgsurv_only
    if travel and block.telesoin_only:
        travel = False
        notes.append("Télésoin (TMI) : le soin est fait à distance, pas de frais de déplacement.")
    ifi = False
    travel_line = None
    # NGAP-13-1: without "à domicile" on the prescription the travel is still
    # billed, to the patient: the AMO pays none of it (lines at AMO 0 below).
    travel_to_patient = travel and not p.home_care_prescribed
    if travel and p.shared_travel_with_previous_patient:
        travel = False
        notes.append("Même déplacement que le patient précédent : pas d'IFD ni d'IK (NGAP-13-2).")
    if travel:
        if dependence:
            # Every dependence passage of the day may bill its IFI: the cap of
            # 4 IFI a day found only in third-party code is not applied
            # (NGAP-BSI-4, reading).
            ifi = True
            travel_line = _fixed(snap, "IFI", ("NGAP-BSI-4",), "travel")
        else:
            travel_line = _fixed(snap, "IFD", ("NGAP-13-1", "NGAP-13-2"), "travel")

    # ---- MCI (NGAP-23.2-1..3, NGAP-BSI-7)
    mci_rules: tuple[str, ...] | None = None
    if eligible_heavy or palliative:
        reason = ("NGAP-23.2-1",) if eligible_heavy else ("NGAP-23.2-1", "NGAP-23.2-2")
        if not home:
            notes.append("Pas de MCI au cabinet (NGAP-23.2-3).")
        elif p.place == "ehpad":
            notes.append("Pas de MCI en EHPAD (NGAP-23.2-3).")
        elif orgsurv_only:
            pass
        elif bilan_plaie:
            notes.append("Pas de MCI avec le bilan initial de plaie AMI 11 (NGAP-23.2-3).")
        elif amx_context or ifi or forfait_listed:
            # NGAP-BSI-7: the literal art. 23.2 gives the MCI for any care at
            # home of a palliative patient or a heavy dressing, whatever else
            # the passage bills; one switch, UNCERTAIN either way.
            uncertain.add("NGAP-BSI-7")
            beside = _mci_companions(billed, forfait_listed, bsi_today, ifi)
            if R.MCI_WITH_BSI:
                mci_rules = reason + ("NGAP-BSI-7",)
                warnings.append(f"NGAP-BSI-7 (lecture incertaine) : MCI facturée à côté "
                                f"{beside} (art. 23.2 pris à la lettre).")
            else:
                notes.append(f"Pas de MCI à côté {beside} (NGAP-BSI-7, lecture incertaine).")
                warnings.append(f"NGAP-BSI-7 (lecture incertaine) : MCI non facturée à côté "
                                f"{beside}.")
        else:
            mci_rules = reason

    # ---- MAU (NGAP-23.1-1..3, NGAP-BSI-6)
    mau_rules: tuple[str, ...] | None = None
    if len(billed) == 1 and not orgsurv_only:
        only_code, only_coef = billed[0]
        mau_max = snap.value("MAU_COEFFICIENT_MAX")
        if only_code == "AMI" and only_coef <= mau_max:
            if ifi or forfait_listed:
                notes.append("Pas de MAU avec un forfait BSI ou l'IFI (NGAP-BSI-6).")
            elif mci_rules is not None:
                notes.append("Pas de MAU avec la MCI (NGAP-23.1-3).")
            else:
                mau_rules = ("NGAP-23.1-1",)
        elif only_code == "AMX" and only_coef <= mau_max:
            notes.append("Pas de MAU pour un acte AMX (NGAP-BSI-6).")

    # ---- MIE (NGAP-MIE-1)
    mie = False
    birth = p.patient.birth_date
    age = p.date.year - birth.year - ((p.date.month, p.date.day) < (birth.month, birth.day))
    mie_age = _hour_or_age(snap, "MIE_AGE_MAX") if "MIE_AGE_MAX" in snap else None
    if mie_age is not None and age < mie_age:
        mie = not orgsurv_only
    elif age == mie_age and (p.date.month, p.date.day) == (birth.month, birth.day):
        uncertain.add("NGAP-MIE-1")
        notes.append("7 ans ce jour : plus de MIE (NGAP-MIE-1, âge au jour des soins).")

    # ---- night, Sunday and holidays (NGAP-14-*)
    holiday = _holiday(p.date, p.alsace_moselle)
    bands = _night_bands(snap)
    if orgsurv_only or (bands.day_start <= p.time.hour < bands.day_end and p.date.weekday() < 5
                        and holiday is None):
        period_line = None
    else:
        period_line = _night_sunday(p, snap, holiday, uncertain, warnings, notes)

    if travel_line is not None:
        lines.append(travel_line)
    with_period = ("NGAP-14-8",) if period_line is not None else ()
    if mau_rules is not None:
        extra = ("NGAP-23.1-2",) if mie else ()
        lines.append(_fixed(snap, "MAU", mau_rules + extra + with_period, "majoration"))
    if mci_rules is not None:
        lines.append(_fixed(snap, "MCI", mci_rules + with_period, "majoration"))
    if mie:
        extra = ("NGAP-23.1-2",) if mau_rules is not None else ()
        lines.append(_fixed(snap, "MIE", ("NGAP-MIE-1",) + extra + with_period, "majoration"))
    if period_line is not None:
        lines.append(period_line)

    # ---- IK (NGAP-13-3, -4, -5, NGAP-IKCAP-1)
    ik_km = ZERO
    if travel:
        ik_km = _ik(p, snap, ik_before, lines, uncertain, warnings, notes)

    # ---- AMO (AMO-1..6)
    amo_rate, amo_rules = _amo(p, block, lines, snap, warnings, notes)
    if travel_to_patient and any(line.kind == "travel" and line.rate for line in lines):
        for line in lines:
            if line.kind == "travel":
                line.amo_rate, line.amo = ZERO, ZERO_CENTS
                if "NGAP-13-1" not in line.rules:
                    line.rules = line.rules + ("NGAP-13-1",)
        if any(line.rate and line.kind != "travel" for line in lines):
            amo_rate = None  # the lines no longer share one rate
        notes.append("Soins non prescrits « à domicile » : IFD / IFI et IK facturées au "
                     "patient, sans remboursement de l'AMO (NGAP-13-1).")
        warnings.append("Déplacement à la charge du patient : soins non prescrits à domicile "
                        "(NGAP-13-1).")
    total = amo = ZERO
    for line in lines:
        total += line.amount
        amo += line.amo
    if amo_rate is not None and money(total * amo_rate) != amo:
        uncertain.add("AMO-6")
        warnings.append(
            f"AMO-6 (lecture incertaine) : part AMO calculée ligne par ligne ({amo}) ; "
            f"sur le total elle serait de {money(total * amo_rate)}."
        )
    if len(warnings) > 1:
        warnings = list(dict.fromkeys(warnings))
    if len(notes) > 1:
        notes = list(dict.fromkeys(notes))
    return Quote(
        lines, total, amo, total - amo, amo_rate, amo_rules, warnings, notes,
        tuple(sorted(uncertain)), snap.effective, p.territory, ik_before, ik_km, p.date, p.time,
        block.forfait_billed, bool(bsi_today),
    )


def _fixed(snap: Snapshot, code: str, rules: tuple[str, ...], kind: str) -> Line:
    """A forfait line (IFD, MAU, NUIT…): its value, 100 %."""
    memo_key = ("fixed", code)
    fixed = snap.memo.get(memo_key)
    if fixed is None:
        tv = snap.values.get(code)
        if tv is None:
            raise QuoteError(
                f"{code} n'a pas de valeur en vigueur le {snap.effective.isoformat()}", "date")
        fixed = snap.memo[memo_key] = (tv.value, money(tv.value), tv.since, tv.source,
                                       _LABELS[code])
    value, amount, since, source, label = fixed
    return Line(code, None, ONE, value, amount, rules, label, kind, None, None, since, source)


_HOLIDAYS: dict = {}


def _holiday(day: date, alsace_moselle: bool):
    key = (day, alsace_moselle)
    try:
        return _HOLIDAYS[key]
    except KeyError:
        name = holiday_name(day, alsace_moselle)
        if len(_HOLIDAYS) < 100_000:
            _HOLIDAYS[key] = name
        return name


def _mci_companions(billed, forfait_listed: bool, bsi_today: bool, ifi: bool) -> str:
    """What the MCI sits beside, for NGAP-BSI-7's message ("d'une séance AIS")."""
    codes = {code for code, _ in billed}
    parts = []
    if forfait_listed or codes & set(cat.BSI_FORFAITS):
        parts.append("d'un forfait BSI")
    elif bsi_today:
        parts.append("d'un forfait BSI facturé plus tôt dans la journée")
    if "AIS" in codes:
        parts.append("d'une séance AIS")
    if "AMX" in codes:
        parts.append("d'un acte AMX")
    if ifi:
        parts.append("de l'IFI")
    if not parts:
        return "d'un contexte de dépendance"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


@dataclass(frozen=True, slots=True)
class _Bands:
    """The night bands in force (NGAP-14-4), hours [start, end) (the
    boundary reading of NGAP-14-4, UNCERTAIN): night [night_start, deep_start) ∪ [deep_end, day_start), deep night
    [deep_start, deep_end); the day is [day_start, day_end)."""

    night_start: int
    deep_start: int
    deep_end: int
    day_start: int

    @property
    def day_end(self) -> int:
        return self.night_start


def _hour_or_age(snap: Snapshot, code: str) -> int:
    return int(snap.value(code))


def _night_bands(snap: Snapshot) -> _Bands:
    bands = snap.memo.get("night_bands")
    if bands is None:
        bands = snap.memo["night_bands"] = _Bands(
            _hour_or_age(snap, "NUIT_DEBUT"), _hour_or_age(snap, "NUIT_PROF_DEBUT"),
            _hour_or_age(snap, "NUIT_PROF_FIN"), _hour_or_age(snap, "NUIT_FIN"))
    return bands


def _night_sunday(p: Passage, snap: Snapshot, holiday, uncertain: set, warnings: list[str],
                  notes: list[str]) -> Line | None:
    hour = p.time.hour
    band = None
    bands = _night_bands(snap)
    if hour >= bands.deep_start or hour < bands.deep_end:
        band = "NUIT_PROF"
    elif bands.night_start <= hour < bands.deep_start or bands.deep_end <= hour < bands.day_start:
        band = "NUIT"
    night_due = band is not None and (p.urgent_night_prescribed or p.urgent_call)
    if band is not None and not night_due:
        notes.append("Acte de nuit sans urgence ni prescription d'exécution de nuit : pas de "
                     "majoration (NGAP-14-3).")
    if night_due and p.time.minute == 0 and hour in (
            bands.night_start, bands.deep_start, bands.deep_end, bands.day_start):
        uncertain.add("NGAP-14-4")

    weekday = p.date.weekday()
    sunday_rules: tuple[str, ...] = ()
    if weekday == 6 or holiday is not None:
        if p.sunday_holiday_prescribed or p.urgent_call:
            sunday_rules = ("NGAP-14-1",)
            if holiday is not None:
                sunday_rules += ("NGAP-14-7",)
                if is_uncertain_holiday(p.date, p.alsace_moselle):
                    uncertain.add("NGAP-14-7")
                    warnings.append(f"NGAP-14-7 (lecture incertaine) : {p.date.isoformat()} "
                                    "compté comme jour férié pour la majoration.")
            if p.sunday_holiday_prescribed:
                sunday_rules += ("NGAP-14-3",)
        else:
            notes.append("Dimanche ou jour férié sans urgence ni prescription « rigoureusement "
                         "quotidienne » : pas de majoration (NGAP-14-3).")
    elif weekday == 5 and p.urgent_call and p.time >= EIGHT_AM:
        sunday_rules = ("NGAP-14-1", "NGAP-14-6")

    if night_due:
        night_rules = ("NGAP-14-1", "NGAP-14-2", "NGAP-14-4")
        if p.urgent_night_prescribed:
            night_rules += ("NGAP-14-3",)
        if sunday_rules:
            # Not cumulable is verified; keeping the higher of the two is the
            # reading (NGAP-14-5), so the choice is always reported.
            uncertain.add("NGAP-14-5")
            notes.append("Nuit et dimanche/férié ne se cumulent pas : une seule majoration, la "
                         "plus élevée (NGAP-14-5).")
            if snap.value("DIM") > snap.value(band):
                return _fixed(snap, "DIM", sunday_rules + ("NGAP-14-5",), "majoration")
            night_rules += ("NGAP-14-5",)
        return _fixed(snap, band, night_rules, "majoration")
    if sunday_rules:
        return _fixed(snap, "DIM", sunday_rules, "majoration")
    return None


def _ik(p: Passage, snap: Snapshot, before: Decimal, lines: list[Line], uncertain: set,
        warnings: list[str], notes: list[str]) -> Decimal:
    """Appends the IK lines; returns the IK km of the passage.

    Fractional kilometres are billed as given, without rounding (NGAP-13-4,
    reading); the daily cap counts the kilometres already billed `before`
    this passage (NGAP-IKCAP-1)."""
    if p.same_agglomeration:
        if p.distance_km > ZERO:
            notes.append("Patient dans la même agglomération que le cabinet : pas d'IK "
                         "(NGAP-13-3).")
        return ZERO
    rate_code, threshold_code, abattement_code = _IK_PARAMS[p.zone]
    if p.zone == "pied_ski":
        uncertain.add("NGAP-13-4")
    threshold = snap.value(threshold_code)
    if p.distance_km <= threshold:
        if p.distance_km > ZERO:
            notes.append(f"Distance ≤ {threshold} km ({_ZONE_LABEL[p.zone]}) : pas d'IK "
                         "(NGAP-13-3).")
        return ZERO
    km = p.distance_km * 2 - snap.value(abattement_code)
    if km <= ZERO:
        return ZERO
    if km != km.to_integral_value():
        uncertain.add("NGAP-13-4")
        warnings.append("NGAP-13-4 (lecture incertaine) : kilomètres fractionnaires facturés "
                        "sans arrondi.")
    tv = snap.values[rate_code]
    base_rules = ("NGAP-13-3", "NGAP-13-4", "NGAP-13-5")
    zone = p.zone
    label = f"{_LABELS['IK']} ({_ZONE_LABEL[zone]})"
    cap = snap.values.get("IK_PLAFOND_TAUX_PLEIN_KM")
    if cap is None:
        lines.append(_line("IK", km, ONE, tv, base_rules, label, "travel", zone=zone))
        return km
    full_cap = cap.value
    zero_cap = snap.value("IK_PLAFOND_DEMI_TAUX_KM")
    after = before + km
    if after <= full_cap:
        lines.append(_line("IK", km, ONE, tv, base_rules, label, "travel", zone=zone))
        return km
    full = max(ZERO, min(after, full_cap) - before)
    half = max(ZERO, min(after, zero_cap) - max(before, full_cap))
    none = km - full - half
    uncertain.add("NGAP-IKCAP-1")
    capped = base_rules + ("NGAP-IKCAP-1",)
    if full:
        lines.append(_line("IK", full, ONE, tv, capped, label, "travel", zone=zone))
    if half:
        lines.append(_line("IK", half, HALF, tv, capped, label, "travel", zone=zone))
    if none:
        lines.append(_line("IK", none, ZERO, tv, capped, label, "travel", zone=zone))
    notes.append(f"Plafond journalier des IK : {before} km déjà facturés aujourd'hui ; km au-delà "
                 f"de {full_cap} à 50 %, au-delà de {zero_cap} non payés (NGAP-IKCAP-1).")
    return km


def _amo(p: Passage, block: _Block, lines: list[Line], snap: Snapshot, warnings: list[str],
         notes: list[str]) -> tuple[Decimal | None, tuple[str, ...]]:
    """AMO rate and part per line (AMO-1..6). Lines start with the acts, in
    the order of the block.

    The AMO part is rounded per line and summed (AMO-6, reading). The franchise
    médicale is not deducted here: the CPAM withholds it from its own
    reimbursements, it is not part of the invoice (AMO-5)."""
    normal = snap.values["AMO_TAUX"].value
    exempt = snap.values["AMO_TAUX_EXONERE"].value
    coverage = p.coverage
    ald_patient = p.patient.ald or coverage == "ald"
    if coverage == "ald" and not p.patient.ald:
        warnings.append("Couverture ALD alors que le patient n'est pas noté en ALD.")
    per_act = ald_patient and block.has_ald_zone and coverage not in ("maternite", "at_mp")
    if coverage == "maternite" or coverage == "at_mp":
        rate, rules = exempt, ("AMO-3",)
    elif ald_patient and p.care_related_to_ald:
        rate, rules = exempt, ("AMO-2",)
    else:
        rate = normal
        rules = ("AMO-4",) if coverage == "c2s" else ("AMO-1",)
        if ald_patient:
            rules += ("AMO-2",)
            if not per_act:
                notes.append("Soins sans rapport avec l'ALD : taux ordinaire (AMO-2).")
    if coverage == "c2s":
        notes.append("C2S : le ticket modérateur est pris en charge par la C2S (AMO-4).")
    if per_act:
        # Bizone prescription: each act at the rate of its zone (AMO-2); travel
        # and majorations at the ALD rate when an ALD act is billed.
        act_rates = []
        related_billed = False
        for zone, billed in zip(block.ald_zones, block.billed_flags, strict=True):
            related = p.care_related_to_ald if zone is None else zone
            act_rates.append(exempt if related else normal)
            related_billed = related_billed or (related and billed)
        rate = exempt if related_billed else normal
        if "AMO-2" not in rules:
            rules += ("AMO-2",)
        rates = set()
        n = len(act_rates)
        for i, line in enumerate(lines):
            r = act_rates[i] if i < n else rate
            line.amo_rate = r
            line.amo = _amount(line.amount, r)
            if line.rate:
                rates.add(r)
        if len(rates) > 1:
            notes.append("Ordonnance bizone : chaque acte au taux de sa zone ; déplacement et "
                         "majorations au taux de la partie ALD (AMO-2).")
            return None, rules
        return (rates.pop() if rates else rate), rules
    for line in lines:
        line.amo_rate = rate
        line.amo = _amount(line.amount, rate)
    return rate, rules


# ---------------------------------------------------------------- a day


def quote_day(passages, tariffs: TariffTable | None = None) -> DayQuote:
    """Quote a nurse's day, passages in the given order: the IK daily cap
    counts the kilometres over the whole day (NGAP-IKCAP-1), and a BSI forfait
    billed for a patient (known by `patient.id`) is not billed again that day
    (NGAP-BSI-1)."""
    table = tariffs if tariffs is not None else load_tariffs()
    passages = list(passages)
    warnings: list[str] = []
    quotes: list[Quote] = []
    if not passages:
        return DayQuote([], ZERO, ZERO, ZERO, ZERO, warnings)
    day = passages[0].date
    running = passages[0].ik_km_already_billed_today
    forfait_patients: set[str] = set()
    last_time = None
    total = amo = ZERO
    for i, p in enumerate(passages):
        if p.date != day:
            raise QuoteError("une journée ne contient que des passages de la même date",
                             f"seances[{i}].date")
        if last_time is not None and p.time < last_time:
            warnings.append(f"seances[{i}] : passage antérieur au précédent ; les IK sont "
                            "décomptées dans l'ordre donné (NGAP-IKCAP-1).")
        last_time = p.time
        before = running if running >= p.ik_km_already_billed_today else p.ik_km_already_billed_today
        pid = p.patient.id
        forfait_today = p.bsi_forfait_already_billed_today or (
            pid is not None and pid in forfait_patients
        )
        try:
            q = quote(p, table, ik_km_before=before, bsi_forfait_today=forfait_today)
        except QuoteError as exc:
            field = f"seances[{i}].{exc.field}" if exc.field else f"seances[{i}]"
            raise QuoteError(exc.message, field) from None
        quotes.append(q)
        running = before + q.ik_km
        total += q.total
        amo += q.amo
        if pid is not None and q.bsi_forfait_billed:
            forfait_patients.add(pid)
    return DayQuote(quotes, total, amo, total - amo, running, warnings)
