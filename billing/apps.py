from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = "Facturation"

    def ready(self):
        from core.access import STAFF
        from core.navigation import NavItem, register

        register(NavItem("Nomenclature", "billing:catalogue", STAFF, order=50))
        register(NavItem("Cotation", "billing:quote", STAFF, order=55))
