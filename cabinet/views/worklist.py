from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.access import STAFF, roles
from core.figures import until_next_write

from ..letters import ALD_KIND, BSI_KIND, RENEWAL_KIND, registered
from ..selectors import patients as selectors
from ..services import worklist


def _pager_links(request: HttpRequest, page, param: str, anchor: str) -> None:
    """Previous/next links of one section, keeping the other sections' pages."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""


@roles(*STAFF)
def worklist_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = {"prescriptions": "ordonnances", "bsi": "bsi", "alds": "ald"}  # name: anchor
    pages = {section: request.GET.get(f"page_{section}") for section in sections}
    # Kept until the next write (core.figures): the list is read far more
    # often than prescriptions, BSI or ALD change.
    # The page numbers as sent: two values that name different pages never
    # share a key (the key is hashed, whatever they hold).
    work = until_next_write(
        "worklist", request.user.pk, today.isoformat(), *(pages[s] for s in sections),
        compute=lambda: worklist.build(patients=selectors.patients_visible_to(request.user),
                                       today=today, pages=pages))
    for section, anchor in sections.items():
        _pager_links(request, getattr(work, section), f"page_{section}", anchor)
    # S-TRACE-1: names, prescriptions and ALDs of each patient listed.
    audit.record_reads(request, patient_ids=[
        *(p.patient_id for p, _ in work.prescriptions), *(p.pk for p, _ in work.bsi),
        *(a.patient_id for a, _ in work.alds),
    ])
    return render(request, "cabinet/worklist.html", {
        "work": work, "today": today, "letters": registered(RENEWAL_KIND),
        "ald_kind": ALD_KIND if registered(ALD_KIND) else "",
        "bsi_kind": BSI_KIND if registered(BSI_KIND) else "",
    })
