import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.invoicing.selectors import invoiceable_seances_for
from billing.models import Seance, SeanceLine
from billing.payments.selectors import outstanding_items
from cabinet.models import Visit
from cabinet.models.visits import Tournee, VisitStatus
from core.formatting import euros, km
from core.models import User
from core.navigation import items_for
from documents import typography
from replacements import statements
from replacements.models import Contract, ContractStatus
from tests.scale import copies, scale_demo


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
    # PAY-3: the payments due are the « Impayés » list's, and lead to it.
    items = list(outstanding_items(personas.nadia))
    count = len({invoice.pk for invoice, *_ in items})
    amount = sum((due for _i, _p, due, _b in items), Decimal("0.00"))
    assert count, "the demo has invoices awaiting payment"
    assert re.search(rf'<a href="{reverse("billing:outstanding_list")}"><strong>{count}</strong> '
                     rf"factures? impayées? · {re.escape(euros(amount))} restant dus</a>", html)
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


def _julies_contracts(personas):
    return Contract.objects.filter(remplacant=personas.julie).exclude(
        status=ContractStatus.DRAFT)


def test_remplacante_home_shows_her_current_contract_and_the_months_retrocession(personas):
    """Issue 16 item 1: her contract with the titulaire, its dates and status, and
    the month's rétrocession so far (R-RETRO-1…4), each leading to its page."""
    today = timezone.localdate()
    current = [c for c in _julies_contracts(personas)
               if statements.contract_span(c)[0] <= today <= statements.contract_span(c)[1]]
    assert len(current) == 1, "the demo's remplaçante works under a contract this month"
    contract = current[0]
    start, end = statements.contract_span(contract)
    html = _home(personas, "julie")
    assert "Mon remplacement" in html
    assert (f'<a href="{reverse("replacements:contract_detail", args=[contract.pk])}">Contrat '
            f"n° {contract.number}</a> : je remplace <strong>{contract.titulaire}</strong> du "
            f"{start:%d/%m/%Y} au {end:%d/%m/%Y} ({contract.get_status_display().lower()})") in html
    # The figure is the one « Ma rétrocession » computes for the month.
    first, last = statements.month_bounds(today.year, today.month)
    month = statements.statements_for(personas.julie.pk, first, last)
    due = sum((st.totals.retrocession for st in month), Decimal("0.00"))
    seances = sum(st.seances for st in month)
    assert due > 0 and seances, "julie performed acts this month in the demo"
    shown = typography.amount(due)
    assert (f'à ce jour : <a href="{reverse("replacements:my_retrocession")}"><strong>{shown}'
            f"</strong></a> ({seances} séance") in html
    page = unescape(personas.client("julie").get(reverse("replacements:my_retrocession"))
                    .content.decode())
    if len(month) == 1:
        assert f'data-total="retrocession">{shown}</td>' in page


def test_remplacante_home_shows_the_next_contract_and_those_to_sign(personas):
    today = timezone.localdate()
    for contract in _julies_contracts(personas):
        if statements.contract_span(contract)[0] <= today:
            # Her contracts of today and before ended yesterday.
            contract.terminated_on = today - timedelta(days=1)
            contract.save(update_fields=["terminated_on"])
    later = _julies_contracts(personas).first()
    later.pk, later.parent_id = None, None
    later.start_at = later.start_at.replace(year=today.year + 1)
    later.end_at = later.end_at.replace(year=today.year + 1)
    later.terminated_on = None
    later.save()
    draft = Contract.objects.get(pk=later.pk)
    draft.pk, draft.status, draft.signed_by_remplacant_at = None, ContractStatus.DRAFT, None
    draft.save()
    html = _home(personas, "julie")
    assert "je remplace" not in html
    assert (f'Prochain remplacement : <a href="'
            f'{reverse("replacements:contract_detail", args=[later.pk])}">contrat n° '
            f"{later.number}</a>, {later.titulaire} du "
            f"{statements.contract_span(later)[0]:%d/%m/%Y}") in html
    assert (f'<a href="{reverse("replacements:contract_detail", args=[draft.pk])}">1 contrat '
            "à signer</a>") in html


def test_only_the_remplacante_sees_the_replacement_card(personas):
    for name in ("claire", "nadia", "admin"):
        assert "Mon remplacement" not in _home(personas, name)


# Issue 16: every role's home page within the pages' ceiling.
MAX_HOME_QUERIES = 25


def _grow_demo_tenfold():
    """Ten times the demo's clinical data (tests/scale.py) and ten times its
    séances with their lines: the invoicing work, the audit's sample and the
    remplaçante's rétrocession all grow too."""
    scale_demo(9)
    seances = list(Seance.objects.all())
    lines = list(SeanceLine.objects.all())
    invoiced = {s.pk for s in seances if s.invoiced_at}
    for _ in range(9):
        # Lines are added before the copy is invoiced (PostgreSQL refuses
        # lines on an invoiced séance, S-DATA-1).
        made = copies(seances, visit=None, invoiced_at=None)
        seance_of = {s.copy_of: s.pk for s in made}
        copies(lines, seance_id=lambda line, _n, made=seance_of: made[line.seance_id])
        Seance.objects.filter(pk__in=[s.pk for s in made if s.copy_of in invoiced]).update(
            invoiced_at=timezone.now())


@pytest.mark.parametrize("name", ["claire", "julie", "nadia", "admin"])
def test_home_page_query_count_is_the_same_at_ten_times_the_demo(personas, name):
    client = personas.client(name)
    client.get(reverse("home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    assert len(small) <= MAX_HOME_QUERIES, [q["sql"][:120] for q in small.captured_queries]
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
