"""Django admin (administrator only): read-only views of the administrative cooperation
records (adhesions, conventions), which change through the app's services so that every
change is audited. Inclusions and delegated acts are patient data: not in the admin."""

from django.contrib import admin

from .models import Adhesion, ThirdPartyConvention


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Adhesion)
class AdhesionAdmin(ReadOnlyAdmin):
    list_display = ("protocol", "doctor", "nurse", "status", "declared_at")
    list_filter = ("protocol", "status")


@admin.register(ThirdPartyConvention)
class ThirdPartyConventionAdmin(ReadOnlyAdmin):
    list_display = ("operator_name", "third_party_name", "ars_transmission_at")
