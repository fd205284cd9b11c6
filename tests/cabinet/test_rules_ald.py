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


def _covers(care_date, **kw):
    base = dict(care_date=care_date, today=TODAY, decision="pending", sent_at=None,
                valid_from=None, valid_to=None, exonerante=True)
    base.update(kw)
    return ald_rules.covers_care(**base)


def test_r_ald_10_care_between_request_and_agreement_is_covered_once_agreed():
    sent = date(2026, 11, 1)
    # Accepted on 20/11 with validity from the decision: the care of 05/11,
    # given after the request, is covered retroactively; the care of 31/10 is not.
    accepted = dict(decision="accepted", sent_at=sent, valid_from=date(2026, 11, 20),
                    valid_to=date(2031, 11, 19))
    assert _covers(date(2026, 11, 5), **accepted)
    assert not _covers(date(2026, 10, 31), **accepted)
    assert not _covers(date(2031, 11, 20), **accepted)


def test_r_ald_10_r_ald_7_deemed_agreement_covers_the_waiting_period():
    sent = date(2026, 11, 1)
    # Billed on 23/11, 22 days after sending without an answer: réputé accepté,
    # so the care of 03/11 (while still pending) is covered.
    assert _covers(date(2026, 11, 3), sent_at=sent)
    # Billed on 10/11: no agreement yet, not covered.
    assert not _covers(date(2026, 11, 3), sent_at=sent, today=date(2026, 11, 10))


def test_r_ald_1_r_ald_7_covers_care_never_for_refused_or_non_exonerante():
    sent = date(2026, 1, 1)
    assert not _covers(date(2026, 6, 1), sent_at=sent, decision="refused")
    assert not _covers(date(2026, 6, 1), sent_at=sent, decision="accepted", exonerante=False)


def test_r_ald_8_ald_model_covers_care_on_uses_its_validity():
    from cabinet.models import Ald

    ald = Ald(ald_number=8, decision="accepted", sent_at=date(2026, 1, 10),
              valid_from=date(2026, 1, 10), valid_to=valid_to(
                  valid_from=date(2026, 1, 10), procedure="standard", validity_years=3))
    assert ald.covers_care_on(date(2029, 1, 9), today=TODAY)
    assert not ald.covers_care_on(date(2029, 1, 10), today=TODAY)
