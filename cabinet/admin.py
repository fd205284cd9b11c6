"""Django admin for the cabinet app.

Only the médecins are here: the administrator role sees no patient data
(S-AUTHZ-1, see `cabinet.selectors.patients`), so patients, ALD, prescriptions, care
plans and visits are managed through the application's own views, which log
every display (S-TRACE-1). The administrator reads a patient's access log at
`cabinet:patient_access_log`.
"""

from django.contrib import admin

from .models import Medecin


@admin.register(Medecin)
class MedecinAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "specialty", "rpps", "city", "phone")
    search_fields = ("last_name", "first_name", "rpps")
    list_filter = ("specialty",)
