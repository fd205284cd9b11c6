"""Patient search (accent/case-insensitive, by name, birth date, partial NIR)
and the offline geocoder (S-PRIV-1)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from cabinet.geocoding import OfflineGeocoder, get_geocoder
from cabinet.models import Patient
from cabinet.search import terms
from cabinet.selectors.patients import search_patients


def test_terms_fold_accents_and_dates():
    assert terms("Hélène BONNET") == ["helene", "bonnet"]
    assert terms("23/11/1935") == ["23/11/1935"]
    assert terms("1935-11-23") == ["23/11/1935"]
    assert terms("2 35 11 37") == ["2351137"]


@pytest.mark.parametrize("query", ["helene", "HÉLÈNE bonnet", "23/11/1935", "bonn"])
def test_search_finds_patient(personas, query):
    found = search_patients(Patient.objects.all(), query)
    assert list(found.values_list("last_name", flat=True)) == ["Bonnet"]


def test_search_by_partial_nir(personas):
    patient = Patient.objects.get(last_name="Bonnet")
    found = search_patients(Patient.objects.all(), patient.nir[3:10])
    assert patient in found


def test_search_page_with_htmx_returns_the_results_only(personas):
    response = personas.client("nadia").get(reverse("cabinet:patient_list"), {"q": "bonnet"},
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "BONNET" in body and "<html" not in body


def test_s_priv_1_offline_geocoder_is_deterministic_and_local():
    geocoder = OfflineGeocoder()
    a = geocoder.geocode(address="12 rue Nationale", postcode="37000", city="Tours")
    b = geocoder.geocode(address="12 rue Nationale", postcode="37000", city="TOURS")
    assert (a.latitude, a.longitude) == (b.latitude, b.longitude)
    assert Decimal("47.38") < a.latitude < Decimal("47.42")
    assert Decimal("0.66") < a.longitude < Decimal("0.71")
    c = geocoder.geocode(address="40 rue Nationale", postcode="37000", city="Tours")
    assert c != a
    assert geocoder.geocode(address="3 rue Inconnue", postcode="37000", city="Tours") is None
    assert geocoder.geocode(address="12 rue Nationale", postcode="75001", city="Paris") is None


def test_geocoder_setting(settings):
    settings.GEOCODER = "offline"
    assert isinstance(get_geocoder(), OfflineGeocoder)
    settings.GEOCODER = "nominatim"
    with pytest.raises(ImproperlyConfigured):
        get_geocoder()


class _DownAddressService:
    def geocode(self, query, exactly_one=True):
        from geopy.exc import GeocoderUnavailable

        raise GeocoderUnavailable("service indisponible")


def test_ban_geocoder_failure_leaves_the_patient_saved_and_not_located(personas):
    """The national address service down: the patient is saved all the same,
    flagged "adresse non localisée", and the page says so."""
    from cabinet.geocoding import BanGeocoder
    from cabinet.services.patients import save_patient

    geocoder = BanGeocoder()
    geocoder._client = _DownAddressService()
    patient = Patient.objects.order_by("pk").first()
    new_address = "2 rue Colbert" if patient.address != "2 rue Colbert" else "4 rue Colbert"
    patient.address = new_address
    result = save_patient(acting_user=personas.nadia, patient=patient, geocoder=geocoder,
                          expected_version=patient.row_version)
    assert result.geocoded is False
    patient.refresh_from_db()
    assert patient.geocode_status == "failed" and patient.latitude is None
    assert patient.address == new_address
    body = personas.client("nadia").get(
        reverse("cabinet:patient_detail", kwargs={"pk": patient.pk})).content.decode()
    assert "adresse non localisée" in body
