from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import STAFF, roles

from ..letters import ALD_KIND, BSI_KIND, RENEWAL_KIND, registered
from ..selectors import patients as selectors
from ..services import worklist


@roles(*STAFF)
def worklist_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    work = worklist.build(patients=selectors.patients_visible_to(request.user), today=today)
    return render(request, "cabinet/worklist.html", {
        "work": work, "today": today, "letters": registered(RENEWAL_KIND),
        "ald_kind": ALD_KIND if registered(ALD_KIND) else "",
        "bsi_kind": BSI_KIND if registered(BSI_KIND) else "",
    })
