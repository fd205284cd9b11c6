"""Forms of payments, statements and rejects (PAY-1, PAY-2): every bad input
gets a French message at its field."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from billing.models.payments import PayerKind, PaymentMeans
from core.form_fields import validate_plausible_date
from core.widgets import DateInput

MAX_AMOUNT = Decimal("999999.99")
MAX_STATEMENT_BYTES = 512 * 1024


def _amount_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal("0.01"), max_value=MAX_AMOUNT,
        max_digits=8, decimal_places=2,
        error_messages={"invalid": "Saisissez un montant (ex. 12,60).",
                        "min_value": "Le montant doit être positif.",
                        "max_value": "Montant trop élevé.",
                        "max_decimal_places": "Au plus deux décimales."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        localize=True,
    )


class NurseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PaymentHeaderForm(forms.Form):
    nurse = NurseChoiceField(label="Infirmier(ère) payé(e)", queryset=None,
                             empty_label=None)
    payer_kind = forms.ChoiceField(label="Payeur", choices=PayerKind.choices)
    payer_name = forms.CharField(label="Nom du payeur", max_length=120, required=False,
                                 help_text="Caisse, organisme complémentaire ou patient.")
    received_on = forms.DateField(label="Reçu le", widget=DateInput(),
                                  validators=[validate_plausible_date])
    means = forms.ChoiceField(label="Moyen", choices=PaymentMeans.choices)
    reference = forms.CharField(label="Référence", max_length=80, required=False)

    def __init__(self, *args, nurses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nurse"].queryset = nurses


class PaymentForm(PaymentHeaderForm):
    amount = _amount_field("Montant reçu (€)")


class AllocationForm(forms.Form):
    number = forms.CharField(label="Facture n°", max_length=40, required=False)
    amount = _amount_field("Montant affecté (€)", required=False)

    def clean(self):
        data = super().clean()
        number, amount = data.get("number", "").strip(), data.get("amount")
        if number and amount is None and "amount" not in self.errors:
            self.add_error("amount", "Indiquez le montant affecté à cette facture.")
        if amount is not None and not number:
            self.add_error("number", "Indiquez le numéro de la facture.")
        data["number"] = number
        return data


AllocationFormSet = forms.formset_factory(AllocationForm, extra=6, max_num=40,
                                          absolute_max=40, validate_max=True)


class StatementForm(PaymentHeaderForm):
    text = forms.CharField(
        label="Relevé (CSV : numéro de facture ; montant)", required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))
    upload = forms.FileField(label="… ou fichier CSV", required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > MAX_STATEMENT_BYTES:
                self.add_error("upload", "Fichier trop volumineux (512 Ko au plus).")
                return data
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", "Le fichier doit être encodé en UTF-8.")
                return data
        if not (data.get("text") or "").strip():
            self.add_error("text", "Collez le relevé ou choisissez un fichier.")
        return data


class CancelPaymentForm(forms.Form):
    reason = forms.CharField(label="Motif de l'annulation", max_length=200)


class RejectForm(forms.Form):
    payer_kind = forms.ChoiceField(label="Payeur qui rejette", choices=PayerKind.choices)
    rejected_on = forms.DateField(label="Rejeté le", widget=DateInput(),
                                  validators=[validate_plausible_date])
    reason = forms.CharField(label="Motif du rejet", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
