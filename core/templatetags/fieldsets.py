"""{% include "core/_fieldset.html" with legend="Passage" names="date time place" %}: a
fieldset of a form's fields, each drawn by "core/_field.html", named once instead of one
include per field."""

from django import template

register = template.Library()


@register.filter
def fields(form, names: str) -> list:
    """The bound fields of `form` named in `names` (space-separated), in that order."""
    return [form[name] for name in names.split()]
