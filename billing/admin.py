from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import ExportBatch, Invoice, InvoiceLine


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("date", "code", "coefficient", "rate", "amount", "amo", "amc", "patient_share")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only, administrators included (FAC-4): invoices change through the
    billing services and their lifecycle; a validated invoice never."""

    list_display = ("display_number", "kind", "status", "nurse", "patient", "total",
                    "validated_at")
    list_filter = ("status", "kind")
    inlines = [InvoiceLineInline]


@admin.register(ExportBatch)
class ExportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "created_at", "created_by", "transmitted_at")
