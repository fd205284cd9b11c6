from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import STAFF, roles

from .. import acts_catalogue


@roles(*STAFF)
def act_search(request: HttpRequest) -> HttpResponse:
    """Options of the NGAP act datalist (htmx), from the billing catalogue."""
    query = ""
    for key, value in request.GET.items():
        if key == "q" or key.endswith("catalogue_id"):
            query = value[:80]
            break
    return render(request, "cabinet/_act_options.html",
                  {"acts": acts_catalogue.search(query), "query": query})
