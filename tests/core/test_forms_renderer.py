"""The project's form renderer writes the commonest widgets out in Python: its
output must be Django's templates' output, character for character, for
every widget of the project's forms and for awkward values."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms_renderer import FastWidgetRenderer

FORM_MODULES = [
    "billing.forms", "billing.forms_entry", "billing.forms_payments", "cooperation.forms",
    "core.forms", "replacements.forms", "cabinet.forms.careplans", "cabinet.forms.common",
    "cabinet.forms.patients", "cabinet.forms.prescriptions", "cabinet.forms.tournees",
]

AWKWARD_VALUES = [None, "", "texte", '<b>"guillemets" & \'apostrophe\'</b>', mark_safe("<i>sûr</i>"),
                  0, 1234567, Decimal("1234.50"), dt.date(2026, 3, 1), dt.time(8, 30), True, False]


def _compare(widget: forms.Widget, name: str, value, attrs=None, *, lenient=False) -> None:
    try:
        expected = widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
    except Exception:
        if lenient:  # a declared field whose choices the form's __init__ sets
            return
        raise
    got = widget.render(name, value, attrs=attrs, renderer=FastWidgetRenderer())
    assert got == expected, (type(widget).__name__, name, value)


def _project_form_classes():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module_name:
                yield obj


def test_the_project_uses_the_renderer():
    assert settings.FORM_RENDERER == "core.forms_renderer.FastWidgetRenderer"


@pytest.mark.django_db
def test_every_widget_of_the_project_forms_renders_as_django_templates_do(personas):
    compared = 0
    for form_class in _project_form_classes():
        try:
            form = form_class()
        except TypeError:  # needs arguments (a user, an instance): its fields are still declared
            form = None
        fields = form.fields if form is not None else form_class.base_fields
        for name, field in fields.items():
            widget = field.widget
            for value in [field.initial, *AWKWARD_VALUES]:
                _compare(widget, name, widget.format_value(value) if not isinstance(
                    widget, (forms.Select, forms.CheckboxInput)) else value,
                    attrs={"id": f"id_{name}", "required": True, "disabled": False},
                    lenient=form is None)
            compared += 1
    assert compared > 50


def test_selects_with_groups_selected_values_and_escaped_labels():
    choices = [("", "— choisir —"), ("Groupe <1>", [("a", "A & a"), ("b", mark_safe("<b>B</b>"))]),
               (3, 1234), ("Groupe 2", [(Decimal("1.5"), dt.date(2026, 1, 2))])]
    for value in [None, "", "a", "b", 3, "3", Decimal("1.5"), ["a", "b"]]:
        _compare(forms.Select(choices=choices), "acte", value, attrs={"class": "x", "hx-get": "/?a=1&b=2"})
        _compare(forms.SelectMultiple(choices=choices), "actes", value)
    for value in [None, "", True, False, "true", "2", "3", "autre"]:
        _compare(forms.NullBooleanSelect(), "oui_non", value)


def test_inputs_and_textareas_with_awkward_attributes():
    widgets = [forms.TextInput(attrs={"list": "quote-acts", "placeholder": "code ou « libellé »"}),
               forms.NumberInput(attrs={"step": "0.01", "min": 0}), forms.DateInput(attrs={"type": "date"}),
               forms.TimeInput(), forms.EmailInput(), forms.HiddenInput(), forms.PasswordInput(render_value=True),
               forms.CheckboxInput(), forms.Textarea(attrs={"rows": 3}), forms.URLInput(), forms.SearchInput()]
    for widget in widgets:
        for value in AWKWARD_VALUES:
            shown = value if isinstance(widget, forms.CheckboxInput) else widget.format_value(value)
            _compare(widget, "champ", shown, attrs={"autofocus": True, "aria-invalid": False, "data-n": 3})
