from django.urls import path

from . import views

app_name = "replacements"

urlpatterns = [
    path("", views.home, name="home"),
    path("profil/", views.profile_edit, name="profile"),
    path("profil/<slug:kind>/ajouter/", views.credential_add, name="credential_add"),
    path("profil/<slug:kind>/<int:pk>/supprimer/", views.credential_delete, name="credential_delete"),
    path("remplacants/<int:user_id>/", views.profile_detail, name="profile_detail"),
    path("ma-situation/", views.titulaire_status, name="titulaire_status"),
    path("retrocession/", views.my_retrocession, name="my_retrocession"),
    path("contrats/nouveau/", views.contract_create, name="contract_create"),
    path("contrats/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contrats/<int:pk>/modifier/", views.contract_edit, name="contract_edit"),
    path("contrats/<int:pk>/supprimer/", views.contract_delete, name="contract_delete"),
    path("contrats/<int:pk>/signer/", views.contract_sign, name="contract_sign"),
    path("contrats/<int:pk>/confier/", views.contract_handover, name="contract_handover"),
    path("contrats/<int:pk>/transmission/", views.contract_transmission, name="contract_transmission"),
    path("contrats/<int:pk>/cloture/", views.contract_close, name="contract_close"),
    path("contrats/<int:pk>/avenant/", views.contract_avenant, name="contract_avenant"),
    path("contrats/<int:pk>/paiements/", views.payment_add, name="payment_add"),
    path("contrats/<int:pk>/patients/lettres/", views.patient_letters, name="patient_letters"),
    path("contrats/<int:pk>/retrocession/", views.contract_statement, name="contract_statement"),
    path("contrats/<int:pk>/retrocession/pdf/", views.statement_pdf, name="statement_pdf"),
    path("contrats/<int:pk>/pdf/<slug:kind>/", views.contract_pdf, name="contract_pdf"),
]
