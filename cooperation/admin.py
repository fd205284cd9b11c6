"""Django admin (administrator only): read-only views of the administrative cooperation
records (adhesions, conventions), which change through the app's services so that every
change is audited. Inclusions and delegated acts are patient data: not in the admin."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Adhesion, ThirdPartyConvention


@admin.register(Adhesion)
class AdhesionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("protocol", "doctor", "nurse", "status", "declared_at")
    list_filter = ("protocol", "status")


@admin.register(ThirdPartyConvention)
class ThirdPartyConventionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("operator_name", "third_party_name", "ars_transmission_at")
