from django.apps import AppConfig


class CooperationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cooperation"
    verbose_name = "Coopération médecins–infirmiers"

    def ready(self):
        from cabinet.panels import PatientPanel, register_patient_panel
        from core.access import NURSES
        from core.models import Role
        from core.navigation import NavItem, register
        from documents import registry

        from . import catalogue
        from .documents import kinds

        # Fail at start-up, not on a patient's page, if a protocol file is wrong.
        catalogue.protocols()
        catalogue.delegation()
        catalogue.iadl_levels()
        for kind in kinds():
            registry.register(kind, replace=True)
        register(NavItem("Coopération", "cooperation:protocol_list", frozenset(Role), order=60))
        register_patient_panel(PatientPanel(
            "Protocoles de coopération", "cooperation:patient_eligibility",
            NURSES, order=50,
        ))
