from django.apps import AppConfig


class CabinetConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'cabinet'

    def ready(self):
        from core.access import STAFF
        from core.models import Role
        from core.navigation import NavItem, register

        # Patients, médecins and the renewal worklist.
        register(NavItem("Patients", "cabinet:patient_list", STAFF, order=10))
        register(NavItem("Ordonnances à renouveler", "cabinet:worklist", STAFF, order=30))
        register(NavItem("Médecins", "cabinet:medecin_list", STAFF, order=40))
        register(NavItem("Journal d'accès", "cabinet:access_log_index",
                         frozenset({Role.ADMIN}), order=90))
        from .letters import register_kinds

        register_kinds()
        # Tournées: the nurse's day on the phone, the planning.
        from core.access import NURSES

        register(NavItem("Ma journée", "cabinet:my_day", NURSES, order=5))
        register(NavItem("Tournées", "cabinet:tournee_day", STAFF, order=20))
        from .home import register as register_home_cards

        register_home_cards()
