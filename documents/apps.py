from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "Documents PDF"

    def ready(self):
        import logging

        # WeasyPrint reports each layout step at INFO: lines per page, per document.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from core.models import Role
        from core.navigation import NavItem, register

        from . import builtin, registry

        for kind in builtin.KINDS:
            registry.register(kind, replace=True)
        register(NavItem("Documents", "documents:list", frozenset(Role), order=80))
