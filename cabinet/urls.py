from django.urls import path

from .views import acts, alds, careplans, medecins, patients, prescriptions, tournees, worklist

app_name = "cabinet"

urlpatterns: list = [
    # Patients, médecins, ALD, prescriptions, care plans (patients engineer).
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/nouveau/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/modifier/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/journal/", patients.patient_access_log, name="patient_access_log"),
    path("journal-acces/", patients.access_log_index, name="access_log_index"),
    path("patients/<int:patient_pk>/ald/nouvelle/", alds.ald_create, name="ald_create"),
    path("ald/<int:pk>/modifier/", alds.ald_edit, name="ald_edit"),
    path("ald/<int:pk>/volet/", alds.ald_volet, name="ald_volet"),
    path("patients/<int:patient_pk>/ordonnances/nouvelle/", prescriptions.prescription_create,
         name="prescription_create"),
    path("ordonnances/<int:pk>/", prescriptions.prescription_detail, name="prescription_detail"),
    path("ordonnances/<int:pk>/modifier/", prescriptions.prescription_edit,
         name="prescription_edit"),
    path("ordonnances/<int:pk>/fichier/", prescriptions.prescription_file,
         name="prescription_file"),
    path("ordonnances/<int:pk>/renouvellement/", prescriptions.prescription_renewal,
         name="prescription_renewal"),
    path("ordonnances/<int:prescription_pk>/plans/nouveau/", careplans.careplan_create,
         name="careplan_create"),
    path("plans/<int:pk>/modifier/", careplans.careplan_edit, name="careplan_edit"),
    path("plans/<int:pk>/arreter/", careplans.careplan_stop, name="careplan_stop"),
    path("a-renouveler/", worklist.worklist_view, name="worklist"),
    path("actes/", acts.act_search, name="act_search"),
    path("medecins/", medecins.medecin_list, name="medecin_list"),
    path("medecins/nouveau/", medecins.medecin_create, name="medecin_create"),
    path("medecins/<int:pk>/modifier/", medecins.medecin_edit, name="medecin_edit"),
    # Tournées (tournées engineer).
    path("tournees/", tournees.tournee_day, name="tournee_day"),
    path("tournees/planifier/", tournees.tournee_plan_day, name="tournee_plan_day"),
    path("tournees/repartir/", tournees.tournee_dispatch, name="tournee_dispatch"),
    path("tournees/<int:pk>/", tournees.tournee_detail, name="tournee_detail"),
    path("tournees/<int:pk>/optimiser/", tournees.tournee_optimise, name="tournee_optimise"),
    path("tournees/<int:pk>/accepter/", tournees.tournee_accept, name="tournee_accept"),
    path("tournees/<int:pk>/revenir/", tournees.tournee_revert, name="tournee_revert"),
    path("tournees/<int:pk>/deplacer/", tournees.tournee_move, name="tournee_move"),
    path("tournees/<int:pk>/replanifier/", tournees.tournee_replan, name="tournee_replan"),
    path("tournees/<int:pk>/feuille/", tournees.tournee_sheet, name="tournee_sheet"),
    path("passages/<int:pk>/planifier/", tournees.visit_plan, name="visit_plan"),
    path("passages/<int:pk>/fait/", tournees.visit_done, name="visit_done"),
    path("passages/<int:pk>/non-fait/", tournees.visit_not_done, name="visit_not_done"),
    path("passages/<int:pk>/rouvrir/", tournees.visit_reopen, name="visit_reopen"),
    path("ma-journee/", tournees.my_day, name="my_day"),
    path("agenda/", tournees.ics_settings, name="ics_settings"),
    path("agenda/<int:pk>/<str:token>.ics", tournees.ics_feed, name="ics_feed"),
]
