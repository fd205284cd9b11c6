"""cabinet:careplan_create / careplan_edit / careplan_stop — bad input refused
at the field; editing moves future visits."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cabinet.models import CarePlan, Visit
from cabinet.models.visits import VisitStatus
from tests.cabinet.helpers import claire_care_plan, claire_prescription


def _data(personas, prescription, **over):
    today = timezone.localdate()
    data = {
        "label": "Pansement", "acts": [a.pk for a in prescription.acts.all()],
        "nurse": personas.marc.pk, "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=6)).isoformat(), "recurrence": "weekdays",
        "weekdays_choice": ["1", "3", "5"], "interval_days": "1", "times_text": "10:00",
        "window_before_min": "30", "window_after_min": "30", "duration_min": "20",
    }
    data.update(over)
    return data


def test_too_many_visits_is_refused_and_nothing_saved(personas):
    prescription = claire_prescription()
    count = CarePlan.objects.count()
    today = timezone.localdate()
    response = personas.client("nadia").post(
        reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk}),
        _data(personas, prescription, recurrence="daily", times_text="06:00, 10:00, 14:00, 19:00",
              end_date=(today + timedelta(days=200)).isoformat()))
    assert response.status_code == 400
    assert "au plus 500" in response.content.decode()
    assert CarePlan.objects.count() == count


def test_end_before_start_and_bad_time(personas):
    prescription = claire_prescription()
    today = timezone.localdate()
    client = personas.client("nadia")
    url = reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk})
    response = client.post(url, _data(personas, prescription,
                                      end_date=(today - timedelta(days=1)).isoformat()))
    assert "précède la date de début" in response.content.decode()
    response = client.post(url, _data(personas, prescription, times_text="25:00"))
    assert "Heure invalide" in response.content.decode()


def test_weekdays_plan_creates_visits_on_those_days(personas):
    prescription = claire_prescription()
    response = personas.client("nadia").post(
        reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk}),
        _data(personas, prescription))
    assert response.status_code == 302
    plan = CarePlan.objects.filter(prescription=prescription, label="Pansement").get()
    days = {v.date.isoweekday() for v in plan.visits.all()}
    assert days and days <= {1, 3, 5}
    assert all(v.nurse == personas.marc for v in plan.visits.all())


def test_edit_plan_keeps_done_visits(personas):
    plan = claire_care_plan()
    done = plan.visits.filter(date__gte=timezone.localdate()).order_by("date", "slot").first()
    done.status = VisitStatus.DONE
    done.save()
    data = _data(personas, plan.prescription, recurrence="daily", times_text="09:00",
                 end_date=(timezone.localdate() + timedelta(days=3)).isoformat(),
                 row_version=plan.row_version)
    response = personas.client("claire").post(
        reverse("cabinet:careplan_edit", kwargs={"pk": plan.pk}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    done.refresh_from_db()
    assert done.status == VisitStatus.DONE
    planned = Visit.objects.filter(care_plan=plan, status=VisitStatus.PLANNED,
                                   date__gte=timezone.localdate())
    assert {v.slot for v in planned} == {"09:00"}


def test_stop_plan(personas):
    plan = claire_care_plan()
    response = personas.client("claire").post(
        reverse("cabinet:careplan_stop", kwargs={"pk": plan.pk}))
    assert response.status_code == 302
    assert not plan.visits.filter(status=VisitStatus.PLANNED,
                                  date__gte=timezone.localdate()).exists()


def test_bad_id(personas):
    url = reverse("cabinet:careplan_edit", kwargs={"pk": 999999})
    assert personas.client("claire").get(url).status_code == 404


def test_out_of_range_interval_window_and_duration_are_refused_at_the_field(personas):
    prescription = claire_prescription()
    count = CarePlan.objects.count()
    client = personas.client("nadia")
    url = reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk})
    response = client.post(url, _data(personas, prescription, recurrence="every_n_days",
                                      interval_days="0"))
    assert response.status_code == 400
    assert "Intervalle entre 1 et 31" in response.context["form"].errors["interval_days"][0]
    response = client.post(url, _data(personas, prescription, window_before_min="40000",
                                      duration_min="0"))
    errors = response.context["form"].errors
    assert "Fenêtre de 0 à 720" in errors["window_before_min"][0]
    assert "Durée d'un passage" in errors["duration_min"][0]
    assert CarePlan.objects.count() == count


def test_interval_is_ignored_unless_every_n_days(personas):
    prescription = claire_prescription()
    response = personas.client("nadia").post(
        reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk}),
        _data(personas, prescription, interval_days="0"))
    assert response.status_code == 302
    assert CarePlan.objects.get(prescription=prescription, label="Pansement").interval_days == 1


def test_s_input_1_far_dates_and_forged_act_keys_are_refused_at_the_field(personas):
    """A plan ending on 31/12/9999 overflowed the recurrence expansion and an act
    key beyond 64 bits crashed the IN query on SQLite: both are refused at their
    field, and neither the plan nor its visits change."""
    plan = claire_care_plan()
    url = reverse("cabinet:careplan_edit", kwargs={"pk": plan.pk})
    client = personas.client("nadia")
    before = (CarePlan.objects.values().get(pk=plan.pk),
              list(plan.visits.values_list("pk", "date", "status")))
    far = client.post(url, _data(personas, plan.prescription, start_date="9999-12-31",
                                 end_date="9999-12-31", row_version=plan.row_version))
    assert far.status_code == 400
    assert "Date invraisemblable" in far.content.decode()
    forged = client.post(url, _data(personas, plan.prescription, acts=["99999999999999999999"],
                                    row_version=plan.row_version))
    assert forged.status_code == 400
    assert "n’est pas une valeur correcte" in forged.content.decode()
    assert before == (CarePlan.objects.values().get(pk=plan.pk),
                      list(plan.visits.values_list("pk", "date", "status")))
