"""Views of the billing app: the NGAP catalogue (live search), the cotation of
a passage with each line explained, and the rules it cites."""

from __future__ import annotations

import re
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import STAFF, roles
from core.models import Cabinet

from .forms import ActFormSet, CatalogueSearchForm, PassageForm, build_passage, catalogue_options
from .ngap import catalogue, quote, rules
from .ngap.model import QuoteError

RATE_LABELS = {"1": "100 %", "0.5": "50 %", "0": "0 %"}


@roles(*STAFF)
def catalogue_view(request: HttpRequest) -> HttpResponse:
    form = CatalogueSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = catalogue.search(query, limit=None)
    context = {"form": form, "query": query, "results": results,
               "total": len(catalogue.load())}
    template = "billing/catalogue_results.html" if request.htmx else "billing/catalogue.html"
    return render(request, template, context)


@roles(*STAFF)
def rules_view(request: HttpRequest) -> HttpResponse:
    readings: dict[str, list[str]] = {}
    for reading in rules.READINGS:
        readings.setdefault(reading.rule_id, []).append(reading.text)
    items = [(rule, readings.get(rule.id, [])) for rule in rules.RULES.values()]
    return render(request, "billing/rules.html", {"items": items})


def _cabinet_context() -> dict:
    cabinet = Cabinet.current()
    return {
        "territory": "dom" if cabinet and cabinet.overseas else "metropole",
        "alsace_moselle": bool(cabinet and cabinet.alsace_moselle),
        "zone": cabinet.zone if cabinet else "plaine",
    }


_ACT_FIELD = re.compile(r"^acts\[(\d+)\]\.(\w+)$")
_FORM_FIELDS = {"date": "date", "time": "time", "place": "place", "zone": "zone",
                "distance_km": "distance_km", "coverage": "coverage",
                "patient.birth_date": "birth_date", "patient.bsi_level": "bsi_level",
                "ik_km_already_billed_today": "ik_km_already_billed_today",
                "structure": "structure"}


def _attach_error(exc: QuoteError, form, formset, filled) -> None:
    """Put an engine error on the field it is about."""
    match = _ACT_FIELD.match(exc.field or "")
    if match and int(match.group(1)) < len(filled):
        act_form = filled[int(match.group(1))]
        name = {"id": "act", "key": "key", "coefficient": "coefficient",
                "group": "group"}.get(match.group(2), "act")
        act_form.add_error(name, exc.message)
        return
    name = _FORM_FIELDS.get(exc.field or "")
    form.add_error(name, exc.message)


def _rule_ref(rule_id: str, result) -> dict:
    rule = rules.RULES.get(rule_id)
    if rule is not None:
        return {"id": rule_id, "title": rule.title, "anchor": rule.anchor,
                "uncertain": rule_id in result.uncertain_rules or rule.status == "UNCERTAIN"}
    act = catalogue.get(rule_id)
    return {"id": rule_id, "title": act.designation if act else rule_id, "anchor": None,
            "catalogue": act is not None, "uncertain": False}


def _explain(result) -> dict:
    cited: list[str] = []
    for line in result.lines:
        cited.extend(line.rules)
    cited.extend(result.amo_rules)
    cited.extend(result.uncertain_rules)
    known = [rules.RULES[rid] for rid in dict.fromkeys(cited) if rid in rules.RULES]
    lines = []
    for line in result.lines:
        rate = format(line.rate.normalize(), "f")
        lines.append({
            "line": line,
            "rate_label": RATE_LABELS.get(rate, f"{line.rate * 100:.0f} %"),
            "coefficient": catalogue.format_coefficient(line.coefficient),
            "rules": [_rule_ref(rid, result) for rid in line.rules],
        })
    return {"result": result, "lines": lines, "cited_rules": known,
            "uncertain": [rules.RULES[r] for r in result.uncertain_rules if r in rules.RULES]}


@roles(*STAFF)
def quote_view(request: HttpRequest) -> HttpResponse:
    settings = _cabinet_context()
    explained = None
    status = 200
    if request.method == "POST":
        form = PassageForm(request.POST)
        formset = ActFormSet(request.POST, prefix="acts")
        if form.is_valid() and formset.is_valid():
            filled = [f for f in formset.forms if not f.is_blank]
            passage = build_passage(form.cleaned_data, [f.to_facts() for f in filled],
                                    territory=settings["territory"],
                                    alsace_moselle=settings["alsace_moselle"])
            try:
                explained = _explain(quote(passage))
            except QuoteError as exc:
                _attach_error(exc, form, formset, filled)
        if form.errors or formset.total_error_count():
            status = 400
    else:
        now = timezone.localtime()
        form = PassageForm(initial={
            "date": now.date(),
            "time": datetime.strptime(now.strftime("%H:%M"), "%H:%M").time(),
            "zone": settings["zone"],
        })
        picked = request.GET.get("act", "").strip().upper()
        initial = [{"act": picked}] if catalogue.get(picked) else None
        formset = ActFormSet(prefix="acts", initial=initial)
    context = {"form": form, "formset": formset, "explained": explained,
               "catalogue_options": catalogue_options(), **settings}
    if request.htmx:
        # htmx swaps 200 answers only: errors are shown in the swapped panel.
        return render(request, "billing/_quote_panel.html", context)
    return render(request, "billing/quote.html", context, status=status)
