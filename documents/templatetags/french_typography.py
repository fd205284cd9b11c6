from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from documents import typography

register = template.Library()


@register.filter(needs_autoescape=True)
def typo_fr(value, autoescape=True):
    """French typography on a text (escaped first, so it is safe on user data)."""
    text = typography.french("" if value is None else str(value))
    return mark_safe(conditional_escape(text) if autoescape else text)  # noqa: S308  # nosec B308 B703 - escaped first


@register.filter
def montant(value, currency="€"):
    return typography.amount(value, currency)


@register.filter
def date_longue(value):
    return typography.long_date(value)
