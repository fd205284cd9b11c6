"""cabinet:my_day — « Ma journée » stays one day: checked at 30 visits, its
queries are those of the demo day and its weight grows linearly with the
visits (well under 300 KB)."""

from django.urls import reverse

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from tests.cabinet.tournees.helpers import claire_tournee
from tests.scale import copies


def test_my_day_at_thirty_visits(personas, django_assert_max_num_queries):
    tournee = claire_tournee()
    url = reverse("cabinet:my_day") + f"?jour={tournee.date.isoformat()}"
    client = personas.client("claire")
    client.get(url)  # warm the session
    visits = list(Visit.objects.filter(tournee=tournee).exclude(status=VisitStatus.CANCELLED))
    assert 0 < len(visits) < 30
    with django_assert_max_num_queries(15) as demo:
        demo_page = client.get(url)
    assert demo_page.status_code == 200
    missing = 30 - len(visits)
    copies((visits * (missing // len(visits) + 1))[:missing],
           after_visit_id=None, care_plan_id=None)
    assert Visit.objects.filter(tournee=tournee).exclude(status=VisitStatus.CANCELLED).count() == 30
    with django_assert_max_num_queries(15) as thirty:
        page = client.get(url)
    assert page.status_code == 200
    assert len(thirty.captured_queries) == len(demo.captured_queries)
    assert page.content.decode().count('id="visit-') == 30
    per_visit = len(demo_page.content) / len(visits)
    assert len(page.content) < 30 * per_visit * 1.2
    assert len(page.content) < 300 * 1024
