from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("demander/<slug:kind>/<int:object_id>/", views.document_request, name="request"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/etat/", views.document_status, name="status"),
    path("<int:pk>/pdf/", views.document_download, name="download"),
    path("lots/demander/<slug:kind>/", views.batch_request, name="batch_request"),
    path("lots/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("lots/<int:pk>/etat/", views.batch_status, name="batch_status"),
    path("lots/<int:pk>/pdf/", views.batch_download, name="batch_download"),
]
