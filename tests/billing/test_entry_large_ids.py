"""The act entry keeps the patient and the chosen prescription once the
cabinet has more than 999 of them: identifiers written into the page are
never printed with the French thousands separator (« 3 173 » posted back
matched no patient, and the prescription chosen was reset at every keystroke)."""

from __future__ import annotations

from django.urls import reverse

from cabinet.models import Medecin, Prescription

from .test_entry import YESTERDAY, a_patient, data


def test_identifiers_in_the_entry_page_are_not_localised(personas):
    patient = a_patient("Milliers")
    patient.pk, old = 123456, patient.pk
    patient.save(force_insert=True)
    type(patient).objects.filter(pk=old).delete()
    medecin = Medecin.objects.create(last_name="Martin", first_name="Jean")
    prescription = Prescription.objects.create(
        pk=234567, patient=patient, prescriber=medecin, date=YESTERDAY,
        start_date=YESTERDAY, duration_days=30, at_home=True)
    client = personas.client("nadia")
    first = client.post(reverse("billing:entry_preview"),
                        data(patient, personas, prescriptions_for=""),
                        HTTP_HX_REQUEST="true").content.decode()
    # The first answer sends the patient's prescriptions and notes whose they are.
    assert 'value="123456"' in first and f'value="{prescription.pk}"' in first
    # The next keystroke posts those values back: the list is not sent again,
    # so the prescription the user chose stays chosen.
    again = client.post(reverse("billing:entry_preview"),
                        data(patient, personas, prescriptions_for="123456",
                             prescription=str(prescription.pk)),
                        HTTP_HX_REQUEST="true").content.decode()
    assert "hx-swap-oob" not in again
