from django.urls import path

from .views import acts, alds, careplans, medecins, patients, prescriptions, worklist

app_name = "cabinet"

urlpatterns: list = [
    # Patients, médecins, ALD, prescriptions, care plans (patients engineer).
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/nouveau/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/modifier/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/journal/", patients.patient_access_log, name="patient_access_log"),
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
]
