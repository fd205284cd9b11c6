from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.access import OFFICE, STAFF, roles
from core.versioning import ConcurrentEditError, refuse_stale

from ..forms.patients import MedecinForm
from ..models import Medecin
from ..search import fold
from ..selectors import patients as selectors
from ..services.patients import save_medecin


def _get_medecin_for_user(user, pk: int, *, edit: bool = False) -> Medecin:
    medecin = get_object_or_404(selectors.medecins_visible_to(user), pk=pk)
    if edit and not selectors.can_edit_medecins(user):
        raise PermissionDenied
    return medecin


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
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_medecin(acting_user=request.user, medecin=form.save(commit=False),
                                 expected_version=form.expected_version)
        except ConcurrentEditError:
            refuse_stale(form)
            status = 409
        else:
            messages.success(request, f"{saved} enregistré.")
            return redirect("cabinet:medecin_list")
    return render(request, "cabinet/medecin_form.html", {"form": form, "medecin": medecin},
                  status=status)


@roles(*OFFICE)
def medecin_create(request: HttpRequest) -> HttpResponse:
    return _form_view(request, None)


@roles(*STAFF)
def medecin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_view(request, _get_medecin_for_user(request.user, pk, edit=True))
