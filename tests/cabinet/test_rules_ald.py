"""R-ALD-*: the protocol's state, validity and deadlines."""

from datetime import date

from cabinet import ald_rules
from cabinet.ald_rules import ALD_LIST, status, valid_to

TODAY = date(2026, 11, 23)


def _status(**kw):
    base = dict(today=TODAY, decision="pending", sent_at=None, valid_from=None, valid_to=None,
                procedure="standard")
    base.update(kw)
    return status(**base)


def test_r_ald_7_deemed_accepted_after_14_days():
    sent = date(2026, 11, 9)
    assert _status(sent_at=sent, today=date(2026, 11, 22)).state == ald_rules.PENDING
    st = _status(sent_at=sent, today=date(2026, 11, 23))
    assert st.state == ald_rules.DEEMED_ACCEPTED and st.covers


def test_r_ald_7_pending_warns_with_the_deemed_date():
    st = _status(sent_at=date(2026, 11, 20))
    assert st.state == ald_rules.PENDING and not st.covers
    assert "04/12/2026" in st.warnings[0]


def test_r_ald_7_refused_never_covers():
    st = _status(sent_at=date(2026, 1, 1), decision="refused")
    assert st.state == ald_rules.REFUSED and not st.covers


def test_r_ald_8_validity_3_5_10_years():
    start = date(2026, 1, 15)
    assert valid_to(valid_from=start, procedure="standard", validity_years=3) == date(2029, 1, 14)
    assert valid_to(valid_from=start, procedure="standard", validity_years=10) == date(2036, 1, 14)


def test_r_ald_8_expired_and_warning_before_expiry():
    st = _status(decision="accepted", sent_at=date(2021, 1, 1), valid_from=date(2021, 1, 1),
                 valid_to=date(2026, 12, 31))
    assert st.covers and any("renouvellement" in w for w in st.warnings)
    st = _status(decision="accepted", sent_at=date(2021, 1, 1), valid_from=date(2021, 1, 1),
                 valid_to=date(2026, 11, 1))
    assert st.state == ald_rules.EXPIRED and not st.covers


def test_r_ald_9_derogatory_six_months_and_alert_30_days_before():
    start = date(2026, 8, 31)
    end = valid_to(valid_from=start, procedure="derogatoire", validity_years=None)
    assert end == date(2027, 2, 27)
    far = _status(decision="accepted", sent_at=start, valid_from=start, valid_to=end,
                  procedure="derogatoire", today=date(2026, 12, 1))
    assert not far.warnings
    near = _status(decision="accepted", sent_at=start, valid_from=start, valid_to=end,
                   procedure="derogatoire", today=date(2027, 2, 1))
    assert any("protocole standard" in w for w in near.warnings)


def test_r_ald_1_non_exonerante_does_not_cover():
    st = _status(decision="accepted", sent_at=date(2026, 1, 1), exonerante=False)
    assert not st.covers


def test_r_ald_13_exemption_only_upper_zone_with_valid_ald():
    assert ald_rules.exempt(zone="upper", ald_covers_on_care_date=True)
    assert not ald_rules.exempt(zone="lower", ald_covers_on_care_date=True)
    assert not ald_rules.exempt(zone="", ald_covers_on_care_date=True)
    assert not ald_rules.exempt(zone="upper", ald_covers_on_care_date=False)


def test_r_ald_15_list_has_29_entries_without_hta():
    listed = [n for n in ALD_LIST if n <= 30]
    assert len(listed) == 29 and 12 not in listed


def test_r_ald_2_hors_liste_and_polypathologie():
    assert 31 in ALD_LIST and 32 in ALD_LIST
