from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("documents/", include("documents.urls")),
    path("cabinet/", include("cabinet.urls")),
    path("facturation/", include("billing.urls")),
    path("remplacements/", include("replacements.urls")),
    path("cooperation/", include("cooperation.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
