"""Benchmark of the NGAP cotation engine: a year of a 6-nurse cabinet.

    python bench/ngap.py [--seed N] [--with-json]

Builds ≈ 50,000 passages (deterministic: 100 patients with their care plans,
mixed acts — injections, dressings, heavy dressings, perfusions, insulin 5bis,
blood samples, BSI forfaits, vaccinations, children —, home and cabinet,
plaine/montagne, distances, nights, Sundays and holidays, ALD, C2S…), then
quotes every nurse's day with `quote_day` (the IK daily cap needs the whole
day) in one process, and prints one JSON line
`{"seances", "seconds", "per_second"}`. Only the quoting is timed (and the JSON
output of each quote with `--with-json`). Target: ≥ 20,000 passages/s on one
core.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from billing.ngap import ActFacts, Passage, PatientFacts, jsonio, quote_day  # noqa: E402
from billing.ngap.tariffs import load as load_tariffs  # noqa: E402

FIRST_DAY = date(2025, 9, 1)
DAYS = 365
NURSES = 6
NURSES_PER_DAY = 4
PATIENTS = 100


def a(key, coefficient=None, *, id=None, tags=(), label=""):
    return ActFacts(key=key, coefficient=None if coefficient is None else Decimal(str(coefficient)),
                    label=label, id=id, tags=frozenset(tags))


# Care plans: (weight, acts, flags)
PLANS = [
    (18, (a("AMI", 1, tags=["injection"], label="injection SC anticoagulant"),), {}),
    (10, (a(None, id="XVI-2-5BIS-SURVDIAB"), a(None, id="XVI-2-5BIS-INSULINE")), {}),
    (6, (a(None, id="XVI-2-5BIS-SURVDIAB"), a(None, id="XVI-2-5BIS-INSULINE"),
         a("AMI", 2, label="pansement courant")), {}),
    (9, (a("AMI", 2, label="pansement courant"),), {}),
    (8, (a("AMI", 4, tags=["pansement_lourd_complexe"], label="pansement d'ulcère"),
         a("AMI", 1, tags=["injection"])), {}),
    (5, (a(None, id="XVI-1-3-COMPRESS"),), {}),
    (5, (a(None, id="XVI-1-3-ANALG"), a(None, id="XVI-1-3-ESCARRE")), {"palliative": 0.3}),
    (6, (a("AMI", 1.5, tags=["prelevement_veineux"], label="prise de sang"),), {"cabinet": 0.5}),
    (3, (a("AMI", 2), a("AMI", 1.5, tags=["prelevement_veineux"]), a("AMI", 1)), {}),
    (4, (a(None, id="XVI-2-3-PERFLONG"),), {}),
    (2, (a(None, id="XVI-2-4-PERFCOURT"), a(None, id="XVI-2-4-SUPPLH"),
         a(None, id="XVI-1-2-AUTREPS")), {}),
    (3, (a(None, id="XVI-2-3-ORGSURV"),), {}),
    (8, (a("BSB"),), {"bsi": "BSB"}),
    (5, (a("BSC"), a(None, id="XVI-1-1-SC")), {"bsi": "BSC"}),
    (4, (a("BSA"),), {"bsi": "BSA"}),
    (3, (a("BSB"), a(None, id="XVI-1-3-ESCARRE"), a(None, id="XVI-1-1-IM")), {"bsi": "BSB"}),
    (2, (a(None, id="XVI-1-1-VACCPRES"), a("AMI", 1)), {}),
    (2, (a("AMI", 1, tags=["injection"]),), {"child": True}),
    (2, (a(None, id="XVI-1-10-THERORAL"),), {}),
    (2, (a(None, id="XVI-2-7-SURVPO"), a(None, id="XVI-2-7-DRAIN")), {}),
    (1, (a("AIS", 3), a(None, id="XVI-1-3-MECHAGE")), {}),
]


def build(seed: int) -> list[list[Passage]]:
    rnd = random.Random(seed)
    weights = [w for w, _, _ in PLANS]
    patients = []
    for i in range(PATIENTS):
        _, acts, flags = rnd.choices(PLANS, weights)[0]
        child = flags.get("child")
        birth = date(2021, 1, 1) + timedelta(days=rnd.randint(0, 700)) if child else (
            date(1925, 1, 1) + timedelta(days=rnd.randint(0, 60 * 365)))
        ald = rnd.random() < 0.45
        patients.append({
            "patient": PatientFacts(birth, flags.get("bsi"), ald, id=f"p{i}"),
            "acts": acts,
            "cabinet": rnd.random() < flags.get("cabinet", 0.08),
            "distance": Decimal(rnd.choice([0, 1, 1.5, 2, 3, 4, 6, 8, 12, 18, 25, 40])),
            "agglo": rnd.random() < 0.5,
            "zone": "montagne" if rnd.random() < 0.15 else "plaine",
            "palliative": rnd.random() < flags.get("palliative", 0.03),
            "coverage": "ald" if ald else rnd.choice(["standard"] * 8 + ["c2s", "maternite"]),
            "visits": rnd.choice([1, 1, 1, 2, 2, 3]),
            "nurse": rnd.randrange(NURSES),
        })
    days = []
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        on_duty = [(d + k) % NURSES for k in range(NURSES_PER_DAY)]
        rounds: dict[int, list] = {n: [] for n in on_duty}
        for pat in patients:
            if rnd.random() < 0.18:  # not seen today
                continue
            nurse = pat["nurse"] if pat["nurse"] in rounds else on_duty[pat["nurse"] % len(on_duty)]
            for v in range(pat["visits"]):
                hour = [7, 12, 18][v] + rnd.randint(0, 2)
                minute = rnd.randrange(0, 60, 5)
                if rnd.random() < 0.03:
                    hour = rnd.choice([5, 6, 20, 21, 22, 23])
                rounds[nurse].append((hour, minute, v, pat))
        for _nurse, visits in rounds.items():
            visits.sort(key=lambda x: (x[0], x[1]))
            passages = []
            for hour, minute, _v, pat in visits:
                acts = pat["acts"]
                passages.append(Passage(
                    date=day,
                    time=dtime(hour, minute),
                    place="cabinet" if pat["cabinet"] else "domicile",
                    patient=pat["patient"],
                    acts=acts,
                    zone=pat["zone"],
                    distance_km=pat["distance"],
                    same_agglomeration=pat["agglo"],
                    urgent_night_prescribed=hour >= 20 or hour < 8 and rnd.random() < 0.5,
                    sunday_holiday_prescribed=rnd.random() < 0.6,
                    urgent_call=rnd.random() < 0.01,
                    palliative=pat["palliative"],
                    coverage=pat["coverage"],
                    care_related_to_ald=pat["coverage"] == "ald" and rnd.random() < 0.9,
                    shared_travel_with_previous_patient=rnd.random() < 0.04,
                    bsi_forfait_already_billed_today=False,
                ))
            days.append(passages)
    return days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--with-json", action="store_true",
                        help="also time the JSON output of each quote")
    args = parser.parse_args()
    days = build(args.seed)
    table = load_tariffs()
    count = sum(len(p) for p in days)
    start = time.process_time()
    total = Decimal(0)
    for passages in days:
        result = quote_day(passages, table)
        total += result.total
        if args.with_json:
            jsonio.day_json(result)
    seconds = time.process_time() - start
    print(json.dumps({"seances": count, "seconds": round(seconds, 3),
                      "per_second": round(count / seconds)}))


if __name__ == "__main__":
    main()
