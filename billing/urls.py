from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("nomenclature/", views.catalogue_view, name="catalogue"),
    path("cotation/", views.quote_view, name="quote"),
    path("regles/", views.rules_view, name="rules"),
]
