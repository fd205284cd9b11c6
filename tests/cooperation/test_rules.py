"""Rules of cooperation.md cited by the app beyond the eligibility criteria: protocol
validity, adhesion dates, the follow-up outside NGAP billing, place of care, joint
visit, ASALEE records and billing, delegated acts as data, training, yearly indicators,
and the UNCERTAIN readings shown as such."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from billing.models import Seance
from cabinet.models import Patient, Visit
from cabinet.services.visit_outcome import mark_done
from cooperation import catalogue, indicators, services
from cooperation.documents import doctor_report_context, information_letter_context
from cooperation.eligibility import Status, evaluate
from cooperation.models import (
    Adhesion,
    AdhesionStatus,
    DelegatedAct,
    PatientAssessment,
    PatientInclusion,
    StructureKind,
)
from cooperation.patient_facts import facts_for, practice_facts
from core.models import AuditEvent
from tests.cooperation.helpers import ON, asalee

TODAY = timezone.localdate


def patient(last: str) -> Patient:
    return Patient.objects.get(last_name=last)


def consent(nurse, last: str, **changes) -> PatientInclusion:
    data = {"informed_at": TODAY(), "information_method": "both", "consent": True,
            "living_place": "home", "enabled_acts": ["suivi-mensuel"]}
    data.update(changes)
    return services.record_consent(acting_user=nurse, patient=patient(last), protocol_id="pa-ph",
                                   data=data)


def vidal_inclusion() -> PatientInclusion:
    # Demo: acts enabled are suivi-mensuel, contention, antalgique-palier-1, canicule and
    # risque-chute; Claire and Dr Lefèvre are the team.
    return PatientInclusion.objects.get(patient=patient("Vidal"), protocol="pa-ph")


def brun_inclusion() -> PatientInclusion:
    # Demo: Marc's ASALEE patient with Dr Roussel.
    return PatientInclusion.objects.get(patient=patient("Brun"), protocol="asalee")


def record_act(nurse, inclusion: PatientInclusion, code: str, decision: str,
               **changes) -> DelegatedAct:
    """Through the service, with no `context`: the act's trigger in the data decides it."""
    data = {"act_code": code, "performed_on": TODAY(), "findings": "Constatations.",
            "decision": decision}
    data.update(changes)
    return services.record_delegated_act(acting_user=nurse, inclusion=inclusion, data=data)


def protocol_page(personas, protocol_id: str, user: str = "claire") -> str:
    response = personas.client(user).get(
        reverse("cooperation:protocol_detail", kwargs={"protocol_id": protocol_id}))
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A copy of the protocol data files, read by the catalogue instead of the shipped
    ones: a test edits a file there as a new arrêté or annex would."""
    for source in catalogue.DATA_DIR.glob("*.toml"):
        shutil.copy(source, tmp_path / source.name)
    monkeypatch.setattr(catalogue, "DATA_DIR", tmp_path)
    catalogue.protocols.cache_clear()
    yield tmp_path
    catalogue.protocols.cache_clear()


def reload_catalogue() -> None:
    catalogue.protocols.cache_clear()


# --- protocol and adhesion dates ----------------------------------------------------------


def test_r_asa_21_ended_protocol_makes_every_patient_not_eligible():
    ended = dataclasses.replace(catalogue.get("asalee"), valid_to=ON - dt.timedelta(days=1))
    result = evaluate(ended, asalee())
    assert result.status == Status.NOT_ELIGIBLE
    first = result.criteria[0]
    assert first.rule == "R-ASA-21" and first.result is False
    # The same facts the day before the end: eligible (nothing else changed).
    assert evaluate(ended, asalee(on=ON - dt.timedelta(days=1))).status == Status.ELIGIBLE


def test_r_coop_7_declaration_date_is_the_start_of_implementation(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    start = TODAY() + dt.timedelta(days=10)
    Adhesion.objects.filter(pk=adhesion.pk).update(declared_at=start,
                                                   training_completed_at=TODAY())
    adhesion.refresh_from_db()
    assert not adhesion.is_active_on(TODAY())
    assert adhesion.is_active_on(start)
    doctor = adhesion.doctor
    assert services.active_adhesion(protocol_id="pa-ph", doctor=doctor, nurse=personas.claire,
                                    on=TODAY()) is None


def test_r_coop_11_suspended_adhesion_is_not_active_and_proves_nothing(personas):
    vidal = patient("Vidal")
    assert practice_facts(vidal, TODAY()) == {"coordinated_practice": True}
    Adhesion.objects.filter(doctor=vidal.medecin_traitant).update(
        status=AdhesionStatus.SUSPENDED)
    # Unknown, not « non »: another team may still practise in a coordinated structure.
    assert practice_facts(vidal, TODAY()) == {}


def test_r_paph_2_ssiad_nurse_may_adhere(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.julie)
    saved = services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion, data={
        "structure_kind": StructureKind.SSIAD, "structure_name": "SSIAD de Tours Nord",
        "declared_at": TODAY(), "engagement_signed_at": TODAY(),
        "sworn_statement_at": TODAY(), "training_title": "Formation PA-PH",
        "training_hours": 14, "training_completed_at": TODAY(),
        "doctor_engagement_signed_at": TODAY(), "doctor_sworn_statement_at": TODAY(),
        "doctor_training_hours": 7, "doctor_training_completed_at": TODAY(),
        "status": AdhesionStatus.ACTIVE,
    }, expected_version=adhesion.row_version)
    assert saved.is_active_on(TODAY())


# --- inclusion: joint visit, place of care, ASALEE record ------------------------------------


def test_r_paph_6_joint_visit_is_recorded_and_shown(personas):
    joint = TODAY() - dt.timedelta(days=2)
    inclusion = consent(personas.claire, "Faure", joint_visit_at=joint)
    assert inclusion.joint_visit_at == joint
    html = personas.client("claire").get(
        reverse("cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode()
    assert "Visite conjointe" in html and joint.strftime("%d/%m/%Y") in html


def test_r_paph_20_ehpad_resident_is_followed_there(personas):
    inclusion = consent(personas.claire, "Faure", living_place="ehpad")
    act = services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion, data={
        "act_code": "suivi-mensuel", "context": "monthly_visit", "performed_on": TODAY(),
        "findings": "Résidente de l'EHPAD, TA 125/70.",
        "decision": "Évaluation globale sans modification",
    })
    assert act.location == "ehpad"


def test_r_paph_15_cannot_travel_is_recorded_with_its_reason(personas):
    faure = patient("Faure")
    assessment = PatientAssessment.objects.get(patient=faure)
    saved = services.save_assessment(
        acting_user=personas.claire, patient=faure,
        data={"cannot_travel_to_practice": True, "cannot_travel_reason": "Escaliers, sans aide"},
        expected_version=assessment.row_version)
    assert saved.cannot_travel_to_practice is True
    assert saved.cannot_travel_reason == "Escaliers, sans aide"


def test_r_asa_17_asalee_file_number_is_kept_on_the_inclusion(personas):
    inclusion = PatientInclusion.objects.get(patient=patient("Brun"), protocol="asalee")
    assert inclusion.asalee_file_number
    html = personas.client("marc").get(
        reverse("cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode()
    assert inclusion.asalee_file_number in html


def test_r_asa_18_asalee_is_free_for_the_patient(personas):
    protocol = catalogue.get("asalee")
    assert protocol.billable_ngap is False
    assert {"R-ASA-11", "R-ASA-18"} <= set(protocol.billing_rules)
    inclusion = PatientInclusion.objects.get(patient=patient("Brun"), protocol="asalee")
    letter = " ".join(information_letter_context(inclusion)["paragraphs"])
    assert "gratuit" in letter


def test_r_tls_5_refusal_is_traced_like_a_consent(personas):
    inclusion = consent(personas.claire, "Girard", consent=False)
    event = AuditEvent.objects.get(action="cooperation.consent", object_id=str(inclusion.pk))
    assert event.patient_id == inclusion.patient_id
    assert inclusion.consent_recorded_by == personas.claire
    assert inclusion.informed_at == TODAY()


# --- follow-up outside NGAP billing ---------------------------------------------------------


def test_r_paph_9_follow_up_visit_done_bills_nothing(personas):
    inclusion = consent(personas.claire, "Faure")
    visit = services.plan_follow_up(acting_user=personas.claire, inclusion=inclusion,
                                    first_date=TODAY(), count=1, window_start=dt.time(9),
                                    window_end=dt.time(12))[0]
    assert visit.acts == []
    mark_done(acting_user=personas.claire, visit=visit)
    assert not Seance.objects.filter(visit=visit).exists()


# --- delegated acts: reprise ----------------------------------------------------------------


def test_r_paph_29_case_outside_the_limits_is_a_reprise_counted_in_the_indicators(personas):
    from cooperation import indicators

    inclusion = PatientInclusion.objects.get(patient=patient("Vidal"), protocol="pa-ph")
    before = indicators.yearly("pa-ph", TODAY().year).reprises
    act = services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion, data={
        "act_code": "suivi-mensuel", "context": "monthly_visit", "performed_on": TODAY(),
        "findings": "Dyspnée nouvelle.", "decision": "Appel du médecin (reprise)",
        "reprise_by_delegant": True, "reprise_reason": "Hors des limites du protocole",
    })
    assert DelegatedAct.objects.get(pk=act.pk).reprise_by_delegant
    assert indicators.yearly("pa-ph", TODAY().year).reprises == before + 1


# --- UNCERTAIN readings, shown as such -------------------------------------------------------


def test_r_paph_32_no_forfait_before_the_2024_arrete(personas):
    remuneration = catalogue.get("pa-ph").remuneration
    assert remuneration.valid_from == dt.date(2024, 5, 6)
    assert remuneration.valid_from_verified is False
    html = protocol_page(personas, "pa-ph")
    assert "depuis le 06/05/2024" in html and "date à confirmer" in html


def test_r_paph_18_iadl_map_is_data_and_marked_uncertain(personas):
    levels = catalogue.iadl_levels()
    assert [x.score for x in levels] == [1, 1, 1, 0, 0]
    faure = patient("Faure")
    form = personas.client("claire").get(
        reverse("cooperation:assessment_edit", kwargs={"patient_id": faure.pk})).context["form"]
    assert "R-PAPH-18" in form.fields["iadl_travel_level"].help_text
    assert "incertaine" in form.fields["iadl_travel_level"].help_text
    assert facts_for(faure).patient["iadl_modified_score"] == 0  # level 5 in the demo


# --- the framework: R-COOP-1, R-COOP-13 ------------------------------------------------------


def test_r_coop_1_medical_acts_pass_to_the_nurse_only_within_a_protocol_team(personas):
    table = catalogue.delegation()
    medical = table.rule_for(nature="medical", delegate="health_professional")
    assert medical.allowed and medical.framework == "protocole de coopération"
    assert "R-COOP-1" in medical.also_rules
    assert not table.rule_for(nature="medical", delegate="third_party").allowed
    # Each protocol is such a framework: a délégant, a délégué and derogatory acts.
    for protocol in catalogue.protocols():
        assert protocol.delegant_role and protocol.delegue_role
        assert any(a.derogatory for a in protocol.acts)
    # The derogatory act is recorded as done by the délégué of the team, for its délégant.
    inclusion = vidal_inclusion()
    act = record_act(personas.claire, inclusion, "suivi-mensuel",
                     "Évaluation globale sans modification")
    assert act.derogatory is True
    assert act.nurse == inclusion.adhesion.nurse == personas.claire
    assert act.doctor == inclusion.adhesion.doctor == inclusion.patient.medecin_traitant
    # A nurse outside the team transfers nothing.
    with pytest.raises(ValidationError):
        record_act(personas.marc, inclusion, "suivi-mensuel",
                   "Évaluation globale sans modification")
    html = unescape(personas.client("claire").get(
        reverse("cooperation:protocol_list")).content.decode())
    assert "(R-COOP-1)" in html and medical.label in html


def test_r_coop_13_responsibility_is_displayed_only(personas):
    for protocol in catalogue.protocols():
        assert protocol.responsibility_rule == "R-COOP-13"
        html = protocol_page(personas, protocol.id)
        assert f"{protocol.responsibility} <small class=\"muted\">(R-COOP-13)</small>" in html
        assert "affichage seulement" in protocol.responsibility
    letter = " ".join(information_letter_context(vidal_inclusion())["paragraphs"])
    assert "Votre médecin reste responsable de la décision de vous inclure" in letter
    assert "l'infirmier(ère) est responsable des actes qu'il ou elle réalise" in letter


def test_r_coop_13_inclusion_keeps_the_facts_the_delegant_decided_on(personas):
    inclusion = consent(personas.claire, "Faure")
    kept = inclusion.facts_snapshot
    assert kept["result"]["status"] == "eligible"
    assert kept["facts"]["date"] == TODAY().isoformat()
    assert kept["facts"]["practice"] == {"coordinated_practice": True}
    assert kept["facts"]["patient"]["doctor_home_visits_last_year"] == 2
    # A later change of the facts leaves the record of the decision as it was.
    faure = patient("Faure")
    services.save_assessment(
        acting_user=personas.claire, patient=faure, data={"doctor_home_visits_last_year": 0},
        expected_version=PatientAssessment.objects.get(patient=faure).row_version)
    inclusion.refresh_from_db()
    assert inclusion.facts_snapshot == kept


# --- protocols as data: R-PAPH-10, R-ASA-1, R-ASA-2, R-ASA-10 ---------------------------------


ANNEX_ACT = '''
[[acts]]
code = "bilan-annexe"
label = "Bilan de l'annexe (acte ajouté par les données)"
trigger = "monthly_visit"
rule = "R-PAPH-10"
verified = true
derogatory = true
max_duration = "3 mois"
decisions = ["Bilan réalisé"]
'''


def test_r_paph_10_an_act_added_to_the_data_is_delegated_without_code_change(personas,
                                                                              data_dir):
    # The shipped annex acts carry no limit: none is hard-coded while the annex is unread.
    for act in catalogue.get("pa-ph").acts:
        if act.rule in ("R-PAPH-23", "R-PAPH-24", "R-PAPH-25", "R-PAPH-26", "R-PAPH-27"):
            assert not act.verified
            assert (act.exclusions, act.alert_criteria, act.max_duration) == ((), (), "")
    path = data_dir / "pa-ph.toml"
    path.write_text(path.read_text() + ANNEX_ACT)
    reload_catalogue()
    assert catalogue.get("pa-ph").act("bilan-annexe").max_duration == "3 mois"
    inclusion = consent(personas.claire, "Faure", enabled_acts=["suivi-mensuel", "bilan-annexe"])
    assert inclusion.enabled_acts == ["suivi-mensuel", "bilan-annexe"]
    act = record_act(personas.claire, inclusion, "bilan-annexe", "Bilan réalisé")
    assert act.act_label == "Bilan de l'annexe (acte ajouté par les données)"
    assert act.context == "monthly_visit" and act.derogatory is True
    assert "Bilan de l'annexe (acte ajouté par les données)" in protocol_page(personas, "pa-ph")


def test_r_asa_1_asalee_in_force_from_the_2012_ars_authorisation(personas):
    protocol = catalogue.get("asalee")
    assert "R-ASA-1" in protocol.legal_rules
    assert protocol.authorised_on == protocol.valid_from == dt.date(2012, 6, 18)
    before = evaluate(protocol, asalee(on=dt.date(2012, 6, 17)))
    assert before.status == Status.NOT_ELIGIBLE
    assert before.criteria[0].result is False and "18/06/2012" in before.criteria[0].reason
    assert evaluate(protocol, asalee(on=dt.date(2012, 6, 18))).status == Status.ELIGIBLE
    html = protocol_page(personas, "asalee")
    assert "<dt>Autorisé le</dt><dd>18/06/2012</dd>" in html
    assert "ARS Poitou-Charentes" in html


def test_r_asa_2_2015_funding_arrete_amends_the_protocol_without_restarting_it():
    protocol = catalogue.get("asalee")
    assert protocol.amended_on == (dt.date(2015, 1, 12),)
    # In force before the 2015 arrêté, and unchanged by it.
    assert evaluate(protocol, asalee(on=dt.date(2015, 1, 11))).status == Status.ELIGIBLE
    assert evaluate(protocol, asalee(on=dt.date(2015, 1, 12))).status == Status.ELIGIBLE
    assert protocol.valid_from < protocol.amended_on[0]


NEW_THEME = '''
[[acts]]
code = "asalee-sommeil"
label = "Troubles du sommeil : éducation et prévention"
trigger = "consultation"
rule = "R-ASA-13"
verified = false
derogatory = false
decisions = ["Séance d'éducation thérapeutique"]
'''


def test_r_asa_10_asalee_is_configurable_data_citing_no_arrete(personas, data_dir):
    protocol = catalogue.get("asalee")
    assert protocol.kind == "asalee"  # not a national protocol authorised by arrêté
    assert "R-ASA-10" in protocol.legal_rules
    assert "arrêté du" not in protocol.legal_ref and "n°" not in protocol.legal_ref
    assert "statut actuel incertain (R-ASA-10)" in protocol_page(personas, "asalee")
    # The activity list and the dates are data: editing the file changes what the app does.
    yesterday = TODAY() - dt.timedelta(days=1)
    path = data_dir / "asalee.toml"
    path.write_text(path.read_text().replace(
        "valid_from = 2012-06-18\n", f"valid_from = 2012-06-18\nvalid_to = {yesterday}\n",
    ) + NEW_THEME)
    reload_catalogue()
    edited = catalogue.get("asalee")
    brun = patient("Brun")
    assert evaluate(edited, facts_for(brun, on=yesterday)).status == Status.ELIGIBLE
    ended = evaluate(edited, facts_for(brun, on=TODAY()))
    assert ended.status == Status.NOT_ELIGIBLE and ended.criteria[0].result is False
    assert brun_inclusion().acts.exists()  # the records stay
    page = personas.client("marc").get(reverse(
        "cooperation:inclusion_create", kwargs={"patient_id": patient("Leroy").pk,
                                                "protocol_id": "asalee"})).content.decode()
    assert 'value="asalee-sommeil"' in page


# --- ASALEE: acts, themes, billing, training (R-ASA-11, R-ASA-14, R-ASA-15, R-ASA-19, R-ASA-20)


def test_r_asa_14_portal_derogatory_acts_are_recorded_as_derogatory(personas):
    protocol = catalogue.get("asalee")
    derogatory = " ".join(a.label for a in protocol.acts if a.derogatory).lower()
    for act in ("examen des pieds", "mms", "spirométrie", "ecg", "hba1c"):
        assert act in derogatory
    leroy = patient("Leroy")  # smoker at risk of COPD, Dr Roussel's patient
    inclusion = services.record_consent(
        acting_user=personas.marc, patient=leroy, protocol_id="asalee", data={
            "informed_at": TODAY(), "information_method": "oral", "consent": True,
            "living_place": "home", "asalee_file_number": "ASA-37-0043",
            "enabled_acts": ["asalee-bpco"]})
    act = record_act(personas.marc, inclusion, "asalee-bpco",
                     "Spirométrie réalisée et interprétée")
    assert act.derogatory is True and act.context == "consultation"
    rows = dict(doctor_report_context(act)["table"]["rows"])
    assert "spirométrie" in rows["Acte"]


def test_r_asa_15_newer_themes_are_non_derogatory_activity_marked_uncertain(personas):
    education = catalogue.get("asalee").act("asalee-education")
    assert education.derogatory is False and education.verified is False
    inclusion = brun_inclusion()
    act = record_act(personas.marc, inclusion, "asalee-education",
                     "Séance d'éducation thérapeutique",
                     findings="Séance sur le sommeil et l'activité physique.")
    assert act.derogatory is False
    html = unescape(personas.client("marc").get(reverse(
        "cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode())
    assert (f'{education.label} <small class="muted">({education.rule})</small> '
            '<span class="badge warn">règle incertaine</span>') in html


def test_r_asa_11_asalee_acts_are_protocol_activity_never_billed(personas):
    protocol = catalogue.get("asalee")
    assert protocol.billable_ngap is False and "R-ASA-11" in protocol.billing_rules
    seances, visits = Seance.objects.count(), Visit.objects.count()
    inclusion = brun_inclusion()
    act = record_act(personas.marc, inclusion, "asalee-diabete", "ECG réalisé")
    assert DelegatedAct.objects.filter(pk=act.pk, inclusion__protocol="asalee").exists()
    assert act.visit is None
    # No passage of the tournées either, so nothing the billing could price.
    with pytest.raises(ValidationError, match="suivi mensuel"):
        services.plan_follow_up(acting_user=personas.marc, inclusion=inclusion,
                                first_date=TODAY(), count=1, window_start=dt.time(9),
                                window_end=dt.time(10))
    assert (Seance.objects.count(), Visit.objects.count()) == (seances, visits)


def test_r_asa_19_liberal_side_never_takes_an_asalee_file_number(personas):
    assert "R-ASA-19" in catalogue.get("asalee").billing_rules
    faure = patient("Faure")
    url = reverse("cooperation:inclusion_create",
                  kwargs={"patient_id": faure.pk, "protocol_id": "pa-ph"})
    client = personas.client("claire")
    assert 'name="asalee_file_number"' not in client.get(url).content.decode()
    response = client.post(url, {
        "informed_at": TODAY().isoformat(), "information_method": "oral", "consent": "true",
        "living_place": "home", "enabled_acts": ["suivi-mensuel"],
        "asalee_file_number": "ASA-37-9999",
    })
    assert response.status_code == 302
    assert PatientInclusion.objects.get(patient=faure, protocol="pa-ph").asalee_file_number == ""
    asalee_page = personas.client("marc").get(reverse(
        "cooperation:inclusion_create", kwargs={"patient_id": patient("Leroy").pk,
                                                "protocol_id": "asalee"})).content.decode()
    assert 'name="asalee_file_number"' in asalee_page
    # The billing of a libéral passage has no place for one.
    assert not [f.name for f in Seance._meta.get_fields() if "asalee" in f.name]
    # Nor does the service keep one for another protocol, whatever the caller sends.
    PatientInclusion.objects.filter(patient=faure).delete()
    assert consent(personas.claire, "Faure", asalee_file_number="ASA-37-9999").asalee_file_number == ""


def test_r_asa_20_asalee_nurse_training_funded_by_the_association_is_required(personas):
    protocol = catalogue.get("asalee")
    assert [(t.role, t.rule) for t in protocol.training] == [("delegue", "R-ASA-20")]
    assert "financée par l'association" in protocol.training[0].validation_method
    data = {
        "protocol": "asalee", "doctor": patient("Boyer").medecin_traitant,
        "nurse": personas.claire, "structure_kind": StructureKind.ASALEE,
        "structure_name": "Cabinet Garnier", "declared_at": TODAY(),
        "engagement_signed_at": TODAY(), "sworn_statement_at": TODAY(),
        "status": AdhesionStatus.ACTIVE,
    }
    with pytest.raises(ValidationError) as exc:
        services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=data)
    assert {"training_completed_at", "training_hours"} <= set(exc.value.message_dict)
    assert not any(k.startswith("doctor_") for k in exc.value.message_dict)
    adhesion = services.save_adhesion(acting_user=personas.nadia, adhesion=None, data={
        **data, "training_title": "Formation Asalée", "training_hours": Decimal("21"),
        "training_completed_at": TODAY()})
    assert adhesion.is_active_on(TODAY())
    html = protocol_page(personas, "asalee")
    assert "Formation du délégué" in html and "Formation du délégant" not in html
    assert "formation financée par l'association (convention Cnam)" in html
    assert "(R-ASA-20)" in html


# --- PA-PH delegated acts: R-PAPH-23, R-PAPH-25, R-PAPH-26, R-PAPH-27 --------------------------


def test_r_paph_23_venous_compression_on_an_intercurrent_event(personas):
    inclusion = vidal_inclusion()
    act = record_act(personas.claire, inclusion, "contention", "Contention adaptée",
                     decision_detail="Bas classe 2 remplacés par des chaussettes classe 2.")
    assert act.context == "intercurrent_event" and act.derogatory is True
    with pytest.raises(ValidationError) as exc:
        record_act(personas.claire, inclusion, "contention", "Contention arrêtée")
    assert "decision" in exc.value.message_dict
    rows = dict(doctor_report_context(act)["table"]["rows"])
    assert "événement intercurrent" in rows["Date"]
    assert rows["Décision"].startswith("Contention adaptée — Bas classe 2")
    label = catalogue.get("pa-ph").act("contention").label
    assert f'{label} <span class="badge warn">limites non lues' in protocol_page(personas,
                                                                                 "pa-ph")


def test_r_paph_25_fall_risk_and_prevention_measures_at_the_monthly_visit(personas):
    inclusion = vidal_inclusion()
    measures = "Kinésithérapie (équilibre) ; barres d'appui dans la salle de bain."
    act = record_act(personas.claire, inclusion, "risque-chute",
                     "Risque de chute repéré, mesures de prévention prescrites",
                     decision_detail=measures)
    assert act.context == "monthly_visit" and act.derogatory is True
    rows = dict(doctor_report_context(act)["table"]["rows"])
    assert rows["Décision"].endswith(measures)  # the délégant learns what was prescribed
    assert record_act(personas.claire, inclusion, "risque-chute",
                      "Pas de risque de chute repéré").decision_detail == ""
    html = unescape(personas.client("claire").get(reverse(
        "cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode())
    assert "(R-PAPH-25)</small> <span class=\"badge warn\">règle incertaine</span>" in html


def test_r_paph_26_undernutrition_act_only_where_the_care_plan_enables_it(personas):
    with pytest.raises(ValidationError) as exc:  # not in Mme Vidal's plan
        record_act(personas.claire, vidal_inclusion(), "denutrition", "Pas de dénutrition")
    assert "act_code" in exc.value.message_dict
    inclusion = consent(personas.claire, "Faure", enabled_acts=["suivi-mensuel", "denutrition"])
    act = record_act(personas.claire, inclusion, "denutrition",
                     "Dénutrition diagnostiquée, actions correctrices",
                     decision_detail="Enrichissement des repas, pesée hebdomadaire.")
    assert act.context == "monthly_visit" and act.derogatory is True
    with pytest.raises(ValidationError) as exc:
        record_act(personas.claire, inclusion, "denutrition", "Compléments prescrits")
    assert "decision" in exc.value.message_dict


def test_r_paph_27_heatwave_adjustment_on_an_intercurrent_event(personas):
    inclusion = vidal_inclusion()
    act = record_act(personas.claire, inclusion, "canicule", "Diurétique adapté (canicule)",
                     decision_detail="Furosémide suspendu 3 jours.",
                     reprise_by_delegant=True,
                     reprise_reason="Alerte canicule : avis du médecin demandé")
    assert act.context == "intercurrent_event" and act.derogatory is True
    rows = dict(doctor_report_context(act)["table"]["rows"])
    assert rows["Reprise par le médecin"] == "demandée : Alerte canicule : avis du médecin demandé"
    assert record_act(personas.claire, inclusion, "canicule",
                      "Antihypertenseur adapté (canicule)").context == "intercurrent_event"
    label = catalogue.get("pa-ph").act("canicule").label
    assert f'{label} <span class="badge warn">limites non lues' in protocol_page(personas,
                                                                                 "pa-ph")


# --- PA-PH training: R-PAPH-30, R-PAPH-31 ------------------------------------------------------


def test_r_paph_30_training_is_covered_by_the_forfait_and_bills_nothing(personas):
    protocol = catalogue.get("pa-ph")
    nurse_training = next(t for t in protocol.training if t.role == "delegue")
    assert "couverte par le forfait (R-PAPH-30)" in nurse_training.note
    rem = protocol.remuneration  # the forfait is the only amount: no training line
    assert rem.nurse_share + rem.doctor_share == rem.forfait_total == Decimal("370.00")
    seances, visits = Seance.objects.count(), Visit.objects.count()
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.julie)
    saved = services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion, data={
        "declared_at": TODAY(), "engagement_signed_at": TODAY(), "sworn_statement_at": TODAY(),
        "training_title": "Formation PA-PH", "training_hours": Decimal("14"),
        "training_completed_at": TODAY(), "doctor_engagement_signed_at": TODAY(),
        "doctor_sworn_statement_at": TODAY(), "doctor_training_hours": Decimal("7"),
        "doctor_training_completed_at": TODAY(), "status": AdhesionStatus.ACTIVE,
    }, expected_version=adhesion.row_version)
    assert saved.is_active_on(TODAY())
    assert (Seance.objects.count(), Visit.objects.count()) == (seances, visits)
    assert "La formation est couverte par le forfait (R-PAPH-30)" in protocol_page(personas,
                                                                                   "pa-ph")


def test_r_paph_31_training_requirements_are_data_per_role(personas, data_dir):
    protocol = catalogue.get("pa-ph")
    assert sorted(t.role for t in protocol.training) == ["delegant", "delegue"]
    for training in protocol.training:
        assert training.rule == "R-PAPH-31" and training.known is False
        assert (training.hours_theory, training.hours_practice) == (None, None)
        assert training.validation_method
    assert protocol_page(personas, "pa-ph").count("heures non connues") == 2
    # Once the hours are known they are a data change, shown as such.
    path = data_dir / "pa-ph.toml"
    text = path.read_text()
    unknown = 'role = "delegue"\nrule = "R-PAPH-31"\nknown = false\n'
    assert unknown in text
    path.write_text(text.replace(unknown, 'role = "delegue"\nrule = "R-PAPH-31"\nknown = true\n'
                                          'hours_theory = "14"\nhours_practice = "7"\n'))
    reload_catalogue()
    html = protocol_page(personas, "pa-ph")
    assert "14 h de théorie, 7 h de pratique" in html
    assert html.count("heures non connues") == 1


# --- yearly indicators: R-COOP-9, R-PAPH-33 ------------------------------------------------------


def test_r_coop_9_indicators_are_yearly_and_an_act_counts_in_its_own_year(personas):
    this_year = TODAY().year
    last_year = this_year - 1
    before = indicators.yearly("pa-ph", last_year), indicators.yearly("pa-ph", this_year)
    inclusion = consent(personas.claire, "Faure", informed_at=dt.date(last_year, 12, 15))
    record_act(personas.claire, inclusion, "suivi-mensuel",
               "Évaluation globale sans modification", performed_on=dt.date(last_year, 12, 20))
    after = indicators.yearly("pa-ph", last_year), indicators.yearly("pa-ph", this_year)
    assert after[0].acts == before[0].acts + 1
    assert after[1].acts == before[1].acts
    # Still followed this year: counted in both years' patients.
    assert after[0].patients == before[0].patients + 1
    assert after[1].patients == before[1].patients + 1
    html = protocol_page(personas, "pa-ph")
    assert f"Indicateurs {this_year} du cabinet" in html
    assert "Indicateurs à transmettre chaque année (R-COOP-9" in html


def test_r_coop_9_change_in_team_members_is_recorded_with_its_report_to_the_ars(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.sophie)
    left, reported = TODAY() - dt.timedelta(days=1), TODAY()
    saved = services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion, data={
        "status": AdhesionStatus.ENDED, "left_at": left, "change_reported_to_ars_at": reported,
    }, expected_version=adhesion.row_version)
    assert not saved.is_active_on(TODAY())
    event = AuditEvent.objects.filter(action="cooperation.adhesion.update",
                                      object_id=str(adhesion.pk)).latest("at")
    assert "change_reported_to_ars_at" in event.detail["fields"]
    assert event.version.values["changes"]["change_reported_to_ars_at"] == [
        None, reported.isoformat()]
    html = personas.client("nadia").get(reverse(
        "cooperation:adhesion_detail", kwargs={"pk": adhesion.pk})).content.decode()
    assert f"{left:%d/%m/%Y} (signalée à l'ARS le {reported:%d/%m/%Y})" in unescape(html)
    with pytest.raises(ValidationError) as exc:  # an end needs its date
        services.save_adhesion(acting_user=personas.nadia, adhesion=saved,
                               data={"left_at": None}, expected_version=saved.row_version)
    assert "left_at" in exc.value.message_dict


def test_r_paph_33_protocol_indicators_follow_the_rhythm_of_the_protocol(personas):
    year = TODAY().year
    before = indicators.yearly("pa-ph", year)
    inclusion = vidal_inclusion()
    record_act(personas.claire, inclusion, "suivi-mensuel", "Évaluation globale sans modification")
    record_act(personas.claire, inclusion, "contention", "Contention renouvelée",
               adverse_event=True, adverse_event_description="Irritation cutanée.")
    after = indicators.yearly("pa-ph", year)
    assert after.patients == before.patients >= 1
    assert after.acts == before.acts + 2
    assert after.follow_ups == before.follow_ups + 1  # only the monthly follow-up act
    assert after.adverse_events == before.adverse_events + 1
    assert after.expected_follow_ups_per_patient == 12
    per_patient = f"{after.follow_ups / after.patients:.1f}".replace(".", ",")
    assert after.follow_ups_per_patient == per_patient
    html = protocol_page(personas, "pa-ph")
    assert f"{per_patient} (attendu : 12 par an)" in html
    assert f"{after.adverse_events} ({after.adverse_event_rate})" in html
    assert "non recueillie par l'application" in html  # satisfaction
    assert indicators.yearly("asalee", year).expected_follow_ups_per_patient is None
    assert "Suivis mensuels par patient" not in protocol_page(personas, "asalee")
