import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.invoicing.selectors import invoiceable_seances_for
from cabinet.models import Patient, Prescription, Visit
from cabinet.models.visits import Tournee, VisitStatus
from core.formatting import km
from core.models import User
from core.navigation import items_for
from tests.scale import copies


def test_home_shows_role(personas):
    html = personas.client("julie").get(reverse("home")).content.decode()
    assert "Remplaçant(e)" in html


def _home(personas, name):
    response = personas.client(name).get(reverse("home"))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_nurse_home_shows_today_visits_km_alerts_and_one_tap_to_my_day(personas):
    """Issue 16 item 1: the nurse's day, her renewals, and « Ma journée »."""
    today = timezone.localdate()
    visits = Visit.objects.filter(nurse=personas.claire, date=today).exclude(
        status=VisitStatus.CANCELLED)
    done = visits.filter(status=VisitStatus.DONE).count()
    left = visits.filter(status=VisitStatus.PLANNED).count()
    assert left, "the demo plans visits for today"
    html = _home(personas, "claire")
    assert "Mes passages du jour" in html
    assert re.search(rf"<strong>{done}</strong> faits? · <strong>{left}</strong> à faire", html)
    tournee = Tournee.objects.get(nurse=personas.claire, date=today)
    assert f"{km(tournee.km_estimated)} prévus" in html
    assert f'href="{reverse("cabinet:my_day")}">Ma journée</a>' in html
    assert "À renouveler d'ici le" in html and reverse("cabinet:worklist") in html
    # The menu is not repeated as tiles.
    assert 'class="tiles"' not in html


def test_secretary_home_shows_invoicing_work(personas):
    html = _home(personas, "nadia")
    waiting = invoiceable_seances_for(personas.nadia).count()
    assert "Facturation" in html and f"<strong>{waiting}</strong> séance" in html
    assert "Contrôle avant envoi" in html and "Paiements attendus" in html
    assert "À renouveler d'ici le" in html
    assert "Mes passages du jour" not in html


def test_admin_home_shows_accounts_audit_trail_and_tariffs(personas):
    html = _home(personas, "admin")
    active = User.objects.filter(is_active=True).count()
    assert f"<strong>{active}</strong> comptes actifs" in html
    assert "Journal d'audit" in html and reverse("admin:core_auditevent_changelist") in html
    assert "Tarifs NGAP" in html and "Tarifs en vigueur depuis le" in html
    # No patient data on the administrator's home page.
    assert "Mes passages du jour" not in html and "À renouveler" not in html


def test_remplacante_home_shows_her_day(personas):
    html = _home(personas, "julie")
    assert "Mes passages du jour" in html and "Ma journée" in html
    assert "Facturation" not in html


def _grow_demo_tenfold():
    today = timezone.localdate()
    copies(Patient.objects.all(), times=9, nir="", search_text=lambda p, n: p.search_text)
    copies(Visit.objects.filter(date__gte=today - timedelta(days=31)), times=9,
           tournee=None, after_visit=None, care_plan=None)
    copies(Prescription.objects.all(), times=9)


@pytest.mark.parametrize("name", ["claire", "julie", "nadia", "admin"])
def test_home_page_query_count_is_the_same_at_ten_times_the_demo(personas, name):
    client = personas.client(name)
    client.get(reverse("home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    _grow_demo_tenfold()
    with CaptureQueriesContext(connection) as big:
        assert client.get(reverse("home")).status_code == 200
    assert len(big) == len(small), [q["sql"][:120] for q in big.captured_queries]


def test_navigation_only_lists_allowed_entries(personas):
    for name in ("claire", "julie", "nadia", "admin"):
        user = getattr(personas, name)
        for item in items_for(user):
            client = personas.client(name)
            assert client.get(item["url"]).status_code == 200, (name, item)


def test_s_deploy_2_csp_header_forbids_inline_scripts_and_remote_origins(personas):
    response = personas.client("claire").get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
    for directive in csp.split("; "):
        sources = directive.split()[1:]
        assert set(sources) <= {"'self'", "'none'", "data:"}, directive


def test_s_deploy_2_no_template_loads_an_asset_from_another_origin():
    remote = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=\"(https?:)?//", re.I)
    templates = [path for path in Path(settings.BASE_DIR).glob("**/templates/**/*.html")
                 if ".venv" not in path.parts]
    assert len(templates) > 50
    offenders = [str(path.relative_to(settings.BASE_DIR)) for path in templates
                 if remote.search(path.read_text("utf-8"))]
    assert not offenders
