"""cabinet:tournee_detail and the visit's settings form loaded on demand
(cabinet:visit_plan GET): the page grows linearly with its visits — no
per-visit « après le passage » list of every other visit in the page."""

from django.urls import reverse

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from core.models import AuditEvent
from tests.cabinet.tournees.helpers import claire_tournee
from tests.scale import copies


def _page(client, tournee):
    response = client.get(reverse("cabinet:tournee_detail", args=[tournee.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_has_no_per_visit_list_of_the_other_visits(personas):
    tournee = claire_tournee()
    html = _page(personas.client("claire"), tournee)
    planned = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED).count()
    assert planned > 5
    assert 'name="after_visit"' not in html
    # Each planned row links to its own settings form instead.
    assert html.count('hx-trigger="toggle once"') == planned


def test_page_size_and_queries_are_linear_in_the_visits(personas, django_assert_max_num_queries):
    tournee = claire_tournee()
    client = personas.client("claire")
    _page(client, tournee)  # warm the session
    visits = list(Visit.objects.filter(tournee=tournee))
    with django_assert_max_num_queries(20) as demo:
        demo_size = len(_page(client, tournee))
    copies(visits, 9, after_visit_id=None, care_plan_id=None)
    with django_assert_max_num_queries(20) as ten:
        ten_size = len(_page(client, tournee))
    assert len(ten.captured_queries) == len(demo.captured_queries)
    # Ten times the visits: at most about ten times the page (the layout is shared).
    assert ten_size < 10 * demo_size
    assert ten_size < 300 * 1024


def test_visit_settings_form_lists_the_other_visits_once_and_is_audited(personas):
    tournee = claire_tournee()
    visit = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED).order_by("sequence")[1]
    others = Visit.objects.filter(tournee=tournee).exclude(status=VisitStatus.CANCELLED).count() - 1
    client = personas.client("claire")
    url = reverse("cabinet:visit_plan", args=[visit.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and 'name="after_visit"' in html
    select = html[html.index('name="after_visit"'):]
    select = select[:select.index("</select>")]
    assert select.count("<option") == others + 1  # « — » and each other visit
    assert AuditEvent.objects.filter(action="view", object_id=str(visit.pk),
                                     patient_id=visit.patient_id, view="cabinet:visit_plan").exists()
    # Without JavaScript, the same form is a page of its own.
    page = client.get(url).content.decode()
    assert "<html" in page and 'name="after_visit"' in page and "Retour à la tournée" in page


def test_visit_settings_form_is_refused_to_whom_may_not_plan(personas):
    visit = Visit.objects.filter(tournee=claire_tournee(), status=VisitStatus.PLANNED).first()
    url = reverse("cabinet:visit_plan", args=[visit.pk])
    assert personas.client("nadia").get(url).status_code == 403
    assert personas.client("julie").get(url).status_code in (403, 404)
    assert personas.client(None).get(url).status_code == 302
