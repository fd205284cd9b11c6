from django.urls import path

from . import views, views_entry

app_name = "billing"

urlpatterns = [
    path("nomenclature/", views.catalogue_view, name="catalogue"),
    path("cotation/", views.quote_view, name="quote"),
    path("regles/", views.rules_view, name="rules"),
    path("saisie/", views_entry.entry_view, name="entry"),
    path("saisie/apercu/", views_entry.entry_preview, name="entry_preview"),
    path("saisie/patients/", views_entry.entry_patients, name="entry_patients"),
    path("saisie/actes/", views_entry.entry_acts, name="entry_acts"),
    path("saisie/<int:pk>/", views_entry.entry_edit, name="entry_edit"),
    path("saisie/<int:pk>/annuler/", views_entry.entry_cancel, name="entry_cancel"),
]
