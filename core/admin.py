import json

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.serializers.json import DjangoJSONEncoder

from .audit import split_detail
from .models import AuditEvent, Cabinet, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Cabinet", {"fields": ("role", "rpps", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Cabinet", {"fields": ("role",)}),)
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")


@admin.register(Cabinet)
class CabinetAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "zone")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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

    # S-TRACE-3: even administrators only read the trail.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
