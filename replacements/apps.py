from django.apps import AppConfig


class ReplacementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "replacements"
    verbose_name = "Remplacements"

    def ready(self):
        from cabinet.letters import register_replacement_lookup
        from core.models import Role
        from core.navigation import NavItem, register
        from documents import registry

        from .documents import kinds, replacement_lookup

        for kind in kinds():
            registry.register(kind, replace=True)
        register_replacement_lookup(replacement_lookup)
        from .home import register as register_home_cards

        register_home_cards()
        register(NavItem("Remplacements", "replacements:home",
                         frozenset({Role.TITULAIRE, Role.REMPLACANT, Role.SECRETAIRE}), order=55))
