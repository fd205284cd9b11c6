from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = "Facturation"

    def ready(self):
        from cabinet.signals import visit_completed, visit_reopened
        from core.access import STAFF
        from core.models import Role
        from core.navigation import NavItem, register
        from documents import registry

        from . import receivers
        from .documents import kinds as document_kinds

        register(NavItem("Nomenclature", "billing:catalogue", STAFF, order=50))
        register(NavItem("Cotation", "billing:quote", STAFF, order=55))
        register(NavItem("Saisie des actes", "billing:entry",
                         frozenset({Role.SECRETAIRE, Role.TITULAIRE}), order=45))
        from .home import register as register_home_cards

        register_home_cards()
        register(NavItem("Factures", "billing:invoice_list", STAFF, order=46))
        register(NavItem("À vérifier", "billing:audit_worklist", STAFF, order=47))
        register(NavItem("Paiements", "billing:payment_list",
                         frozenset({Role.TITULAIRE, Role.SECRETAIRE}), order=62))
        register(NavItem("Livre des recettes", "billing:ledger", STAFF, order=64))
        for kind in document_kinds():
            registry.register(kind)
        # Done visits become séances (phase 2 hand-off, cabinet/signals.py).
        visit_completed.connect(receivers.on_visit_completed,
                                dispatch_uid="billing.on_visit_completed")
        visit_reopened.connect(receivers.on_visit_reopened,
                               dispatch_uid="billing.on_visit_reopened")
