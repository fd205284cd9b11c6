from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.access import OFFICE, STAFF, get_for_user, roles

from ..forms.patients import MedecinForm
from ..models import Medecin
from ..search import fold
from ..selectors import patients as selectors
from ..services.patients import save_medecin
from .common import versioned_form_page


def _get_medecin_for_user(user, pk: int, *, edit: bool = False) -> Medecin:
    return get_for_user(selectors.medecins_visible_to(user), pk,
                        allowed=not edit or selectors.can_edit_medecins(user))


@roles(*STAFF)
def medecin_list(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:60]
    qs = selectors.medecins_visible_to(request.user)
    if query:
        # A cabinet knows a few hundred médecins at most: filter on the folded
        # text (accents and case ignored) in Python.
        words = fold(query).split()
        qs = [m for m in qs if all(
            w in fold(f"{m.last_name} {m.first_name} {m.specialty} {m.rpps}") for w in words)]
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "cabinet/medecin_list.html", {
        "page": page, "query": query, "can_edit": selectors.can_edit_medecins(request.user),
    })


def _form_view(request, medecin: Medecin | None) -> HttpResponse:
    form = MedecinForm(request.POST or None, instance=medecin)

    def saved(result) -> HttpResponse:
        messages.success(request, f"{result} enregistré.")
        return redirect("cabinet:medecin_list")

    return versioned_form_page(
        request, "cabinet/medecin_form.html", {"medecin": medecin}, form=form, on_saved=saved,
        save=lambda: save_medecin(acting_user=request.user, medecin=form.save(commit=False),
                                  expected_version=form.expected_version),
    )


@roles(*OFFICE)
def medecin_create(request: HttpRequest) -> HttpResponse:
    return _form_view(request, None)


@roles(*STAFF)
def medecin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_view(request, _get_medecin_for_user(request.user, pk, edit=True))
