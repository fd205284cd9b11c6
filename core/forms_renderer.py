"""The form renderer of the project: Django's own widget templates, with the
commonest widgets (the <input> family, <select> and <textarea>) written out
in Python instead.

Django renders each widget, and each <option> of a <select>, through a
template include; a page with a formset of drop-downs (the cotation and act
entry pages) spent most of its time there. The output is the same,
character for character, as Django's templates (django/forms/widgets/*.html,
stripped as the renderer strips them); tests/core/test_forms_renderer.py
compares both on every widget of the project's forms. Anything else (or a
value the templates would treat specially, such as a callable) goes through
the templates as before."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "checkbox", "search", "tel", "color")
)
_SELECT = f"{_WIDGETS}select.html"
_SELECT_OPTION = f"{_WIDGETS}select_option.html"
_TEXTAREA = f"{_WIDGETS}textarea.html"

# `{{ x }}` in an autoescaped template without a request: localised, escaped.
_CONTEXT = Context(autoescape=True)


class _Fallback(Exception):
    """A value the templates would treat in a way not reproduced here."""


def _var(value) -> str:
    """`{{ value }}`."""
    if callable(value):
        raise _Fallback
    return render_value_in_context(value, _CONTEXT)


def _stringformat(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if callable(value) or isinstance(value, tuple):
        raise _Fallback
    # "%s" % value is str(value) for anything but a tuple; the filter keeps
    # a safe string safe (is_safe), so it is not escaped again.
    if isinstance(value, SafeData):
        return str(value)
    return str(conditional_escape(str(value)))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_var(name)}")
        if value is not True:
            parts.append(f'="{_stringformat(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_stringformat(value)}"' if value is not None else ""
    return (f'<input type="{_var(widget["type"])}" name="{_var(widget["name"])}"{shown}'
            f'{_attrs(widget["attrs"])}>')


def _option(option: dict) -> str:
    if option.get("template_name") != _SELECT_OPTION:
        raise _Fallback
    return (f'<option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
            f'{_var(option["label"])}</option>')


def _select(widget: dict) -> str:
    parts = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    if callable(value):
        raise _Fallback
    shown = _var(value) if value else ""
    return f'<textarea name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'


_FAST = {name: _input for name in _INPUT_TEMPLATES} | {_SELECT: _select, _TEXTAREA: _textarea}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        fast = _FAST.get(template_name)
        widget = context.get("widget") if fast is not None else None
        if isinstance(widget, dict):
            try:
                # The templates' output, stripped as BaseRenderer.render strips it.
                return fast(widget).strip()
            except (_Fallback, KeyError):
                pass
        return super().render(template_name, context, request=request)
