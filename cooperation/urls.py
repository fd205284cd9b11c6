from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("", views.protocol_list, name="protocol_list"),
    path("protocoles/<slug:protocol_id>/", views.protocol_detail, name="protocol_detail"),
    path("eligibles/", views.eligible_list, name="eligible_list"),
    path("patients/<int:patient_id>/", views.patient_eligibility, name="patient_eligibility"),
    path("patients/<int:patient_id>/evaluation/", views.assessment_edit, name="assessment_edit"),
    path("patients/<int:patient_id>/inclusion/<slug:protocol_id>/", views.inclusion_create,
         name="inclusion_create"),
    path("inclusions/", views.inclusion_list, name="inclusion_list"),
    path("inclusions/<int:pk>/", views.inclusion_detail, name="inclusion_detail"),
    path("inclusions/<int:pk>/suivi/", views.follow_up_plan, name="follow_up_plan"),
    path("inclusions/<int:pk>/sortie/", views.inclusion_exit, name="inclusion_exit"),
    path("inclusions/<int:pk>/actes/nouveau/", views.act_create, name="act_create"),
    path("actes/<int:pk>/", views.act_detail, name="act_detail"),
    path("adhesions/", views.adhesion_list, name="adhesion_list"),
    path("adhesions/nouvelle/", views.adhesion_create, name="adhesion_create"),
    path("adhesions/<int:pk>/", views.adhesion_detail, name="adhesion_detail"),
    path("adhesions/<int:pk>/modifier/", views.adhesion_edit, name="adhesion_edit"),
    path("conventions/", views.convention_list, name="convention_list"),
    path("conventions/nouvelle/", views.convention_create, name="convention_create"),
    path("conventions/<int:pk>/", views.convention_detail, name="convention_detail"),
    path("conventions/<int:pk>/modifier/", views.convention_edit, name="convention_edit"),
]
