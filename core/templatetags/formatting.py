"""Template filters for `core.formatting`: {{ value|km }}, {{ value|euros }},
{{ minutes|duree }}; an unknown value is written « — »."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def km(value, digits=1):
    return formatting.km(value, int(digits)) or "—"


@register.filter
def euros(value):
    return formatting.euros(value) or "—"


@register.filter
def duree(value):
    return formatting.duration(value) or "—"
