from django.contrib import admin

from .models import ExportBatch, Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("date", "code", "coefficient", "rate", "amount", "amo", "amc", "patient_share")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read only, administrators included (FAC-4): invoices change through the
    billing services and their lifecycle; a validated invoice never."""

    list_display = ("display_number", "kind", "status", "nurse", "patient", "total",
                    "validated_at")
    list_filter = ("status", "kind")
    inlines = [InvoiceLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportBatch)
class ExportBatchAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "created_by", "transmitted_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
