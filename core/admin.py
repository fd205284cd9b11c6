import json

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder

from .audit import split_detail
from .forms import CabinetAdminAuthenticationForm
from .models import AuditEvent, Cabinet, User


class ReadOnlyAdminMixin:
    """For records the admin only reads: they change through their app's services (with
    their audit row) or never. Works for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts in the Django admin: names, contact, activity and password.
    S-AUTHZ-1..3: roles and permissions are read-only here (a POST naming them
    is ignored); they change only on « Comptes et rôles » through
    `core.roles`, with their audit row and a titulaire's confirmation of any
    grant of patient access. Accounts are created there too."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "email")}),
        ("Cabinet", {"fields": ("role", "rpps", "phone")}),
        ("Accès", {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                              "user_permissions", "last_login", "date_joined")}),
    )
    readonly_fields = ("role", "is_staff", "is_superuser", "groups", "user_permissions",
                       "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        from . import audit

        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="account.update", obj=obj,
                     fields=sorted(form.changed_data), view="admin:core_user_change")


@admin.register(Cabinet)
class CabinetAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "zone")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # S-TRACE-3: even administrators only read the trail.
    list_display = ("at", "actor", "action", "object_type", "object_id", "patient_id", "view")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "view")
    # S-AUTHZ-1: the administrator reads who, when, what and which fields. The
    # detail is shown through the same filter as `audit.record()`, so rows
    # written before values moved to the version history show no value either.
    fields = ("at", "actor", "action", "object_type", "object_id", "patient_id", "view",
              "safe_detail")
    readonly_fields = fields

    @admin.display(description="détail")
    def safe_detail(self, obj):
        safe, _held = split_detail(obj.detail if isinstance(obj.detail, dict) else {})
        return json.dumps(safe, ensure_ascii=False, cls=DjangoJSONEncoder)


# Django's groups hold model permissions: they change in code, not in the
# admin (S-AUTHZ-3: permissions change only through a reviewed path).
admin.site.unregister(Group)

# S-AUTH-3: the admin's login is counted and serialised like the app's (django-axes).
admin.site.login_form = CabinetAdminAuthenticationForm
