from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Cabinet et utilisateurs"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import SlidingSessionMiddleware

        user_logged_in.connect(SlidingSessionMiddleware.stamp_login,
                               dispatch_uid="core.sliding_session_login")
        from .form_fields import install_plausible_date_range

        install_plausible_date_range()

        from .models import Role
        from .navigation import NavItem, register

        register(NavItem("Comptes et rôles", "accounts",
                         frozenset({Role.ADMIN, Role.TITULAIRE}), order=95))
        from .home_cards import register as register_home_cards

        register_home_cards()
