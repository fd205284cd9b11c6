"""cabinet:medecin_* — R-ID-1/R-ID-2 at the field."""

from django.urls import reverse
from stdnum import luhn

from cabinet.models import Medecin


def _data(rpps, **over):
    data = {"last_name": "Nouveau", "first_name": "Paul", "rpps": rpps,
            "specialty": "Médecine générale", "postcode": "37000", "city": "Tours"}
    data.update(over)
    return data


def test_create_medecin_with_valid_rpps(personas):
    stem = "1020304050"
    response = personas.client("nadia").post(reverse("cabinet:medecin_create"),
                                             _data(stem + luhn.calc_check_digit(stem)))
    assert response.status_code == 302
    assert Medecin.objects.get(last_name="Nouveau").id_nat_ps.startswith("8")


def test_r_id_1_rpps_length_error(personas):
    response = personas.client("nadia").post(reverse("cabinet:medecin_create"), _data("12345"))
    assert response.status_code == 400
    assert "11 chiffres" in response.content.decode()
    assert not Medecin.objects.filter(last_name="Nouveau").exists()


def test_r_id_2_rpps_luhn_needs_confirmation(personas):
    stem = "1020304050"
    bad = stem + str((int(luhn.calc_check_digit(stem)) + 1) % 10)
    client = personas.client("nadia")
    response = client.post(reverse("cabinet:medecin_create"), _data(bad))
    assert response.status_code == 400 and "Luhn" in response.content.decode()
    response = client.post(reverse("cabinet:medecin_create"), _data(bad, confirm_rpps="on"))
    assert response.status_code == 302


def test_medecin_list_and_search(personas):
    response = personas.client("julie").get(reverse("cabinet:medecin_list"), {"q": "LEFEVRE"})
    assert response.status_code == 200
    names = [m.last_name for m in response.context["page"].object_list]
    assert names == ["Lefèvre"]


def test_medecin_edit_bad_id(personas):
    url = reverse("cabinet:medecin_edit", kwargs={"pk": 999999})
    assert personas.client("claire").get(url).status_code == 404


def test_r_id_1_duplicate_rpps_is_refused_at_the_field(personas):
    existing = Medecin.objects.exclude(rpps="").first()
    response = personas.client("nadia").post(reverse("cabinet:medecin_create"),
                                             _data(existing.rpps, confirm_rpps="on"))
    assert response.status_code == 400
    assert "déjà celui du" in response.context["form"].errors["rpps"][0]
    assert not Medecin.objects.filter(last_name="Nouveau").exists()
