"""Demo patients, médecins, ALD, prescriptions and care plans in Tours.

Deterministic and idempotent: rows are found by natural keys (RPPS, name +
birth date, ALD number, a prescription's demo reference), never duplicated.
Dates are relative to the day of seeding; seeding again the same day changes
nothing, on a later day the ongoing care plans are extended so the coming
four weeks stay filled, without duplicate visits.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from core.models import User

from . import demo_tournees
from .models import Ald, CarePlan, Medecin, Patient, PrescribedAct, Prescription
from .services.careplans import generate_visits
from .services.patients import apply_ald_dates, geocode_patient

HORIZON_DAYS = 28

# last, first, specialty, address, phone, rpps stem (10 digits, Luhn key appended)
MEDECINS = [
    ("Lefèvre", "Anne", "Médecine générale", "24 rue Colbert", "02 47 20 11 01", "1010000011"),
    ("Moreau", "Philippe", "Médecine générale", "8 boulevard Béranger", "02 47 20 11 02",
     "1010000022"),
    ("Garnier", "Isabelle", "Médecine générale", "41 avenue de Grammont", "02 47 20 11 03",
     "1010000033"),
    ("Roussel", "Thomas", "Médecine générale", "15 avenue de la Tranchée", "02 47 20 11 04",
     "1010000044"),
    ("Fontaine", "Claire", "Endocrinologie", "2 boulevard Tonnellé", "02 47 47 47 47",
     "1010000055"),
    ("Chevalier", "Marc", "Dermatologie", "19 rue de la Scellerie", "02 47 20 11 06",
     "1010000066"),
    ("Perrin", "Hélène", "Oncologie", "2 boulevard Tonnellé", "02 47 47 48 48", "1010000077"),
]

# last, first, sex, birth (y, m, d), street number, street, sector nurse, médecin
PATIENTS = [
    ("Girard", "Marcel", "M", (1938, 3, 12), 14, "rue Nationale", "claire", 0),
    ("Lambert", "Jeanne", "F", (1941, 7, 2), 3, "rue Colbert", "claire", 0),
    ("Bonnet", "Hélène", "F", (1935, 11, 23), 27, "rue de la Scellerie", "claire", 1),
    ("François", "René", "M", (1946, 1, 30), 9, "rue du Commerce", "sophie", 0),
    ("Mercier", "Odette", "F", (1932, 5, 17), 5, "place Plumereau", "sophie", 1),
    ("Blanc", "Lucien", "M", (1950, 9, 8), 21, "rue du Grand Marché", "sophie", 1),
    ("Guérin", "Simone", "F", (1944, 2, 14), 12, "rue des Halles", "sophie", 0),
    ("Boyer", "André", "M", (1939, 12, 1), 33, "rue Bretonneau", "sophie", 2),
    ("Faure", "Marguerite", "F", (1937, 4, 9), 7, "rue Marceau", "claire", 0),
    ("Rousseau", "Paul", "M", (1952, 6, 21), 48, "rue de Bordeaux", "claire", 2),
    ("Blanchard", "Yvette", "F", (1940, 10, 5), 16, "rue Bernard Palissy", "claire", 2),
    ("Gauthier", "Roger", "M", (1948, 8, 28), 11, "rue Lavoisier", "claire", 0),
    ("Robin", "Germaine", "F", (1934, 1, 19), 62, "boulevard Béranger", "sophie", 1),
    ("Clément", "Henri", "M", (1943, 3, 3), 40, "boulevard Heurteloup", "claire", 2),
    ("Morin", "Denise", "F", (1947, 12, 24), 25, "boulevard Preuilly", "sophie", 1),
    ("Nicolas", "Jacques", "M", (1936, 7, 14), 88, "boulevard Tonnellé", "sophie", 1),
    ("Henry", "Colette", "F", (1955, 5, 6), 19, "rue Victor Hugo", "sophie", 1),
    ("Roux", "Gérard", "M", (1949, 11, 11), 6, "rue Giraudeau", "sophie", 1),
    ("Mathieu", "Paulette", "F", (1942, 9, 30), 31, "rue Michelet", "claire", 2),
    ("Dumont", "Bernard", "M", (1953, 2, 2), 10, "rue Roger Salengro", "claire", 2),
    ("Fournier", "Ginette", "F", (1931, 6, 18), 4, "rue George Sand", "claire", 1),
    ("Lemoine", "Raymond", "M", (1945, 4, 27), 57, "rue Édouard Vaillant", "claire", 2),
    ("Marchand", "Suzanne", "F", (1939, 8, 15), 73, "rue de la Fuye", "claire", 2),
    ("Duval", "Maurice", "M", (1951, 10, 9), 112, "avenue de Grammont", "claire", 2),
    ("Denis", "Lucienne", "F", (1944, 3, 26), 29, "rue Febvotte", "claire", 2),
    ("Dufour", "Marcelle", "F", (1936, 12, 7), 13, "rue Courteline", "sophie", 1),
    ("Meunier", "Robert", "M", (1947, 1, 8), 22, "rue de Jérusalem", "sophie", 1),
    ("Brun", "Thérèse", "F", (1940, 5, 31), 18, "quai Paul Bert", "marc", 3),
    ("Leroy", "Claude", "M", (1958, 7, 7), 45, "avenue de la Tranchée", "marc", 3),
    ("Picard", "Annette", "F", (1943, 11, 2), 90, "rue Groison", "marc", 3),
    ("Lucas", "Pierre", "M", (1937, 2, 20), 36, "avenue Maginot", "marc", 3),
    ("Caron", "Micheline", "F", (1946, 6, 12), 52, "avenue de la Tranchée", "marc", 3),
    ("Arnaud", "Guy", "M", (1941, 9, 16), 120, "rue Groison", "marc", 3),
    ("Renaud", "Yvonne", "F", (1933, 4, 4), 9, "quai Paul Bert", "marc", 3),
    ("Barbier", "Fernand", "M", (1954, 12, 29), 14, "avenue Maginot", "marc", 3),
    ("Schmitt", "Louise", "F", (1949, 10, 21), 66, "avenue de la Tranchée", "marc", 3),
    ("Colin", "Émile", "M", (1944, 8, 3), 8, "avenue André Malraux", "julie", 0),
    ("Vidal", "Madeleine", "F", (1938, 1, 25), 35, "rue Nationale", "julie", 0),
    ("Perrot", "Jean", "M", (1950, 3, 18), 20, "rue Colbert", "julie", 1),
    # Not in the offline geocoder's streets: shows "adresse non localisée".
    ("Bertin", "Rose", "F", (1942, 7, 10), 3, "allée des Tilleuls", "claire", 0),
]

ACTS = {
    "insuline": [
        ("XVI-2-5BIS-INSULINE", "AMI", "1", "Injection sous-cutanée d'insuline"),
        ("XVI-2-5BIS-SURVDIAB", "AMI", "1",
         "Surveillance et observation d'un patient diabétique insulino-traité avec adaptation "
         "des doses d'insuline"),
    ],
    "pansement": [("XVI-1-2-AUTREPS", "AMI", "2", "Autre pansement (pansement courant)")],
    "ulcere": [("XVI-1-3-COMPRESS", "AMI", "5.1",
                "Pansement d'ulcère ou de greffe cutanée avec pose d'une compression (bandes), "
                "jusqu'à cicatrisation")],
    "bsb": [("XVI-1-12-BSB", "BSB", None, "Forfait journalier de prise en charge d'un patient "
                                          "dépendant, charge en soins intermédiaire")],
    "bsa": [("XVI-1-12-BSA", "BSA", None, "Forfait journalier de prise en charge d'un patient "
                                          "dépendant, charge en soins légère")],
    "bsc": [("XVI-1-12-BSC", "BSC", None, "Forfait journalier de prise en charge d'un patient "
                                          "dépendant, charge en soins lourde")],
    "prise_de_sang": [("XVI-1-1-PVD", "AMI", "1.5",
                       "Prélèvement sanguin par ponction veineuse directe")],
    "traitement_oral": [("XVI-1-10-SURVTTT", "AMI", "1",
                         "Surveillance et observation lors de la mise en œuvre d'un traitement")],
}

# scenario: label, acts, recurrence, interval, weekdays, times, window ±min, hard, duration,
# chronic (extended on later seeds) and prescription length in days.
SCENARIOS = {
    "insuline": ("Insuline matin et soir", "daily", 1, [], ["08:00", "19:00"], 30, True, 15,
                 True, 90),
    "pansement": ("Pansement un jour sur deux", "every_n_days", 2, [], ["10:00"], 60, False, 20,
                  False, 21),
    "ulcere": ("Pansement d'ulcère avec compression", "weekdays", 1, [1, 3, 5], ["09:30"], 60,
               False, 30, True, 60),
    "bsb": ("Soins d'hygiène (BSI intermédiaire)", "daily", 1, [], ["08:30"], 45, False, 30,
            True, 90),
    "bsa": ("Soins d'hygiène (BSI léger)", "weekdays", 1, [1, 2, 3, 4, 5], ["09:00"], 45, False,
            20, True, 90),
    "bsc": ("Soins d'hygiène (BSI lourd)", "daily", 1, [], ["07:45"], 30, False, 45, True, 90),
    "prise_de_sang": ("Prise de sang hebdomadaire (à jeun)", "weekdays", 1, [2], ["07:30"], 15,
                      True, 10, True, 90),
    "traitement_oral": ("Surveillance du traitement", "daily", 1, [], ["12:00"], 60, False, 10,
                        False, 12),
}

# Patient index → (scenario, days since the prescription started, bizone with ALD?)
CARE = {
    0: [("insuline", 20, True)], 1: [("bsb", 40, False)], 2: [("pansement", 10, False)],
    3: [("insuline", 50, True)], 4: [("bsc", 30, False)], 5: [("prise_de_sang", 15, True)],
    6: [("bsa", 60, False)], 7: [("ulcere", 20, True)], 8: [("insuline", 85, True)],
    9: [("traitement_oral", 8, False)], 10: [("bsb", 70, False)], 11: [("pansement", 18, False)],
    12: [("insuline", 5, True), ("bsa", 5, False)], 13: [("prise_de_sang", 60, True)],
    14: [("ulcere", 25, False)], 15: [("bsb", 12, False)], 16: [("pansement", 3, False)],
    17: [("insuline", 33, True)], 18: [("bsa", 20, False)], 19: [("traitement_oral", 2, False)],
    20: [("bsc", 45, False)], 21: [("insuline", 12, True)], 22: [("ulcere", 40, True)],
    23: [("prise_de_sang", 30, False)], 24: [("pansement", 6, False)],
    25: [("insuline", 60, True)], 26: [("bsb", 88, False)], 27: [("insuline", 25, True)],
    28: [("pansement", 12, False)], 29: [("bsb", 15, False)], 30: [("ulcere", 10, True)],
    31: [("insuline", 40, True)], 32: [("prise_de_sang", 20, True)], 33: [("bsc", 60, False)],
    34: [("traitement_oral", 5, False)], 35: [("bsa", 30, False)],
    36: [("insuline", 15, True)], 37: [("pansement", 8, False)], 38: [("bsb", 25, False)],
}

# Patient index → ALD scenarios: (ald number, state, days ago sent/started)
ALDS = {
    0: [(8, "accepted", 400)], 3: [(8, "accepted", 1080)], 5: [(30, "pending", 5)],
    7: [(3, "deemed", 30)], 8: [(8, "accepted", 1800)], 12: [(8, "derogatory", 160)],
    13: [(5, "accepted", 200)], 17: [(8, "refused", 60)], 21: [(8, "deemed", 20)],
    22: [(3, "accepted", 1000)], 25: [(8, "accepted", 300)], 27: [(8, "pending", 9)],
    30: [(1, "derogatory", 40)], 31: [(8, "accepted", 700)], 32: [(30, "accepted", 90)],
    36: [(8, "accepted", 1090)], 16: [(15, "draft", 0)],
}

BSI_LEVELS = {"bsa": "BSA", "bsb": "BSB", "bsc": "BSC"}
AMC = ["Harmonie Mutuelle", "MGEN", "Mutuelle Générale", "", "Malakoff Humanis", "AG2R"]


def _rpps(stem: str) -> str:
    return stem + luhn.calc_check_digit(stem)


def demo_nir(sex: str, born: date, index: int) -> str:
    body = f"{1 if sex == 'M' else 2}{born.year % 100:02d}{born.month:02d}37261{index + 101:03d}"
    return body + stdnum_nir.calc_check_digits(body)


def _medecins() -> list[Medecin]:
    out = []
    for last, first, specialty, address, phone, stem in MEDECINS:
        medecin, _ = Medecin.objects.update_or_create(
            rpps=_rpps(stem),
            defaults={"last_name": last, "first_name": first, "specialty": specialty,
                      "address": address, "postcode": "37000", "city": "Tours", "phone": phone},
        )
        out.append(medecin)
    return out


def _patients(medecins: list[Medecin], nurses: dict[str, User], today: date) -> list[Patient]:
    out = []
    for i, (last, first, sex, (y, m, d), number, street, nurse, med) in enumerate(PATIENTS):
        born = date(y, m, d)
        patient = Patient.objects.filter(last_name=last, first_name=first, birth_date=born).first()
        if patient is None:
            bsi = next((BSI_LEVELS[s] for s, _, _ in CARE.get(i, []) if s in BSI_LEVELS), "")
            patient = Patient(
                last_name=last, first_name=first, birth_date=born, sex=sex,
                birth_name="" if sex == "M" or i % 3 else "Martineau",
                nir=demo_nir(sex, born, i),
                address=f"{number} {street}", postcode="37000", city="Tours",
                door_code=f"{1000 + i * 37 % 9000}B" if i % 4 == 0 else "",
                phone=f"02 47 {30 + i % 60:02d} {10 + i:02d} {20 + i % 70:02d}",
                entourage_name="" if i % 2 else f"{first[0]}. {last} (fille)",
                entourage_phone="" if i % 2 else f"06 12 {30 + i:02d} 45 67",
                amo_regime="Régime général", amo_caisse_code="371",
                amc_name=AMC[i % len(AMC)], amc_tiers_payant=bool(AMC[i % len(AMC)]) and i % 2 == 0,
                medecin_traitant=medecins[med], referent_nurse=nurses[nurse],
                mdph_handicap=i % 9 == 4, mdph_date=date(2019, 5, 1) if i % 9 == 4 else None,
                bsi_level=bsi,
                bsi_date=(today - timedelta(days=30 + (i * 37) % 360)) if bsi else None,
                admin_notes="Sonner deux fois." if i % 5 == 0 else "",
                clinical_notes=(
                    "Allergie aux pansements adhésifs. Surveiller la glycémie capillaire."
                    if i % 3 == 0 else "Pas d'allergie connue."
                ),
            )
            geocode_patient(patient)
            patient.save()
        out.append(patient)
    return out


def _alds(patients: list[Patient], medecins: list[Medecin], today: date) -> None:
    for index, items in ALDS.items():
        patient = patients[index]
        for number, state, days in items:
            if Ald.objects.filter(patient=patient, ald_number=number).exists():
                continue
            ald = Ald(patient=patient, ald_number=number, established_by=patient.medecin_traitant)
            start = today - timedelta(days=days)
            if state == "draft":
                pass
            elif state == "pending":
                ald.sent_at, ald.valid_from, ald.validity_years = start, start, 5
            elif state == "deemed":
                ald.sent_at, ald.valid_from, ald.validity_years = start, start, 5
            elif state == "accepted":
                ald.sent_at, ald.valid_from = start, start
                ald.decision, ald.decision_at = "accepted", start + timedelta(days=2)
                # A few reach the end of their exemption soon (worklist).
                ald.validity_years = 3 if days > 1000 else 5
                ald.electronic = days < 500
            elif state == "refused":
                ald.sent_at, ald.decision, ald.decision_at = start, "refused", start + timedelta(
                    days=10)
            elif state == "derogatory":
                ald.procedure = "derogatoire"
                ald.established_by = medecins[6] if number == 30 else medecins[4]
                ald.sent_at, ald.valid_from = start, start
                ald.decision, ald.decision_at = "accepted", start + timedelta(days=3)
            apply_ald_dates(ald)
            ald.related_care = "Soins infirmiers en rapport avec l'affection (selon protocole)."
            ald.save()


def _care(patients, medecins, nurses, today: date, creator: User | None) -> int:
    created = 0
    for index, items in CARE.items():
        patient = patients[index]
        for n, (scenario, days_ago, bizone) in enumerate(items):
            (label, recurrence, interval, weekdays, times, window, hard, duration, chronic,
             length) = SCENARIOS[scenario]
            reference = f"Démo n° {index + 1}-{n + 1}"
            prescription = Prescription.objects.filter(patient=patient, notes=reference).first()
            if prescription is None:
                start = today - timedelta(days=days_ago)
                prescription = Prescription.objects.create(
                    patient=patient, notes=reference,
                    prescriber=medecins[4] if scenario == "insuline" and index % 2 else
                    patient.medecin_traitant,
                    date=start, start_date=start, duration_days=length, bizone=bizone,
                    rigorously_daily=scenario == "insuline",
                )
                for act_id, key, coefficient, act_label in ACTS[scenario]:
                    PrescribedAct.objects.create(
                        prescription=prescription, catalogue_id=act_id, key=key,
                        coefficient=Decimal(coefficient) if coefficient else None,
                        label=act_label, ald_zone="upper" if bizone else "",
                        frequency=SCENARIOS[scenario][0].lower(),
                    )
            if chronic and prescription.end_date < today + timedelta(days=HORIZON_DAYS):
                # A chronic treatment is renewed: keep the coming weeks covered,
                # except a few left to expire for the renewal worklist.
                if index % 5 != 3:
                    prescription.duration_days = (
                        today + timedelta(days=HORIZON_DAYS + index % 10) - prescription.start_date
                    ).days + 1
                    prescription.save(update_fields=["duration_days", "updated_at"])
            nurse = nurses[PATIENTS[index][6]]
            plan = CarePlan.objects.filter(prescription=prescription).first()
            if plan is None:
                plan = CarePlan.objects.create(
                    prescription=prescription, patient=patient, nurse=nurse, label=label,
                    start_date=prescription.start_date,
                    end_date=max(prescription.end_date, today + timedelta(days=7))
                    if chronic else prescription.end_date,
                    recurrence=recurrence, interval_days=interval, weekdays=weekdays,
                    times=times, window_before_min=window, window_after_min=window,
                    hard_window=hard, duration_min=duration,
                )
                plan.acts.set(prescription.acts.all())
            elif chronic:
                end = max(plan.end_date, min(prescription.end_date, today + timedelta(
                    days=HORIZON_DAYS)))
                if end != plan.end_date:
                    plan.end_date = end
                    plan.save(update_fields=["end_date", "updated_at"])
            result = generate_visits(acting_user=creator, care_plan=plan, today=today,
                                     record=False)
            created += result.created
    return created


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    nurses = {u.username: u for u in User.objects.filter(
        username__in=["claire", "marc", "sophie", "julie"])}
    medecins = _medecins()
    patients = _patients(medecins, nurses, today)
    _alds(patients, medecins, today)
    visits = _care(patients, medecins, nurses, today, nurses.get("claire"))
    if stdout is not None:
        stdout.write(f"Cabinet : {len(patients)} patients, {len(medecins)} médecins, "
                     f"{visits} passages créés.")
    # The tournées of the coming week, built from these visits.
    demo_tournees.seed(stdout=stdout)
    return {"patients": patients, "medecins": medecins}
