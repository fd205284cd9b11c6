"""R-ID-1 … R-ID-5: NIR and RPPS checks."""

from datetime import date

from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from cabinet.validators import check_nir, check_rpps, check_upload, id_nat_ps


def _nir(body: str) -> str:
    return body + stdnum_nir.calc_check_digits(body)


def test_r_id_5_valid_nir_consistent_with_birth_and_sex():
    nir = _nir("1500337261123")
    assert check_nir(nir, birth_date=date(1950, 3, 12), sex="M").ok


def test_r_id_5_wrong_key_is_an_error():
    nir = _nir("1500337261123")
    bad = nir[:-2] + f"{(int(nir[-2:]) + 1) % 97:02d}"
    result = check_nir(bad)
    assert not result.ok and "Clé du NIR" in result.errors[0]


def test_r_id_5_nir_corsica_2a():
    nir = _nir("285032A004123")
    assert check_nir(nir, birth_date=date(1985, 3, 1), sex="F").ok
    assert not check_nir(nir[:-2] + "00").ok


def test_r_id_5_nir_corsica_2b():
    assert check_nir(_nir("185032B004123"), birth_date=date(1985, 3, 1), sex="M").ok


def test_r_id_5_nir_inconsistent_with_birth_year_month_and_sex():
    nir = _nir("1500337261123")
    errors = check_nir(nir, birth_date=date(1951, 4, 1), sex="F").errors
    assert any("année" in e for e in errors)
    assert any("mois" in e for e in errors)
    assert any("sexe" in e for e in errors)


def test_r_id_5_provisional_and_special_month_are_warnings():
    provisional = check_nir(_nir("7500337261123"), birth_date=date(1950, 3, 1), sex="M")
    assert provisional.ok and provisional.warnings
    special = check_nir(_nir("1503537261123"), birth_date=date(1950, 3, 1), sex="M")
    assert special.ok and any("Mois" in w for w in special.warnings)


def test_r_id_5_first_digit_is_sex_or_provisional():
    result = check_nir(_nir("3500337261123"), birth_date=date(1950, 3, 1), sex="M")
    assert not result.ok and "commence par 1 (homme) ou 2 (femme)" in result.errors[0]


def test_r_id_5_provisional_number_inconsistent_with_birth_is_a_warning():
    result = check_nir(_nir("8500337261123"), birth_date=date(1961, 7, 1), sex="F")
    assert result.ok
    assert any("année" in w for w in result.warnings)
    assert any("mois" in w for w in result.warnings)


def test_r_id_5_nir_length():
    assert "15 caractères" in check_nir("12345").errors[0]


def test_r_id_1_rpps_is_11_digits():
    assert check_rpps("1234").errors
    assert check_rpps("1234567890a").errors


def test_r_id_2_rpps_luhn_failure_is_a_warning():
    stem = "1010000011"
    good = stem + luhn.calc_check_digit(stem)
    assert check_rpps(good).ok and not check_rpps(good).warnings
    bad = stem + str((int(luhn.calc_check_digit(stem)) + 1) % 10)
    result = check_rpps(bad)
    assert result.ok and result.warnings


def test_r_id_3_id_nat_ps():
    assert id_nat_ps("10100000118") == "810100000118"


def test_s_data_4_upload_type_and_size():
    assert check_upload("a.pdf", 100, b"%PDF-1.7").ok
    assert check_upload("a.jpg", 100, b"\xff\xd8\xff\xe0").ok
    assert not check_upload("a.pdf", 100, b"MZ\x90\x00").ok  # an executable renamed
    assert not check_upload("a.png", 100, b"%PDF-1.7").ok
    assert "volumineux" in check_upload("a.pdf", 11 * 1024 * 1024, b"%PDF-").errors[0]
