"""The pure parts of payments and the ledger (PAY-1 statement reconciliation,
PAY-3 ageing, LED-2 charts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.ledger import aging, charts, statement


class TestPay3Ageing:
    @pytest.mark.parametrize(("days", "band"), [
        (0, "0_30"), (30, "0_30"), (31, "31_60"), (60, "31_60"), (61, "over_60"), (400, "over_60"),
    ])
    def test_pay_3_band_boundaries(self, days, band):
        today = date(2026, 12, 4)
        issued = date.fromordinal(today.toordinal() - days)
        assert aging.band_for(issued, today) == band

    def test_pay_3_future_invoice_counts_as_new(self):
        assert aging.band_for(date(2026, 12, 10), date(2026, 12, 4)) == "0_30"


class TestPay1Statement:
    def test_pay_1_semicolon_and_decimal_comma_with_header(self):
        lines, errors = statement.parse("numero;montant\nCM-2026-0001;12,60\n\nCM-2026-0002;7.95\n")
        assert errors == []
        assert [(line.number, line.amount) for line in lines] == [
            ("CM-2026-0001", Decimal("12.60")), ("CM-2026-0002", Decimal("7.95"))]

    def test_pay_1_comma_separator_with_decimal_comma_is_glued(self):
        lines, errors = statement.parse("F1,12,60\nF2,3.15\n")
        assert errors == []
        assert [line.amount for line in lines] == [Decimal("12.60"), Decimal("3.15")]

    def test_pay_1_bad_lines_are_reported_with_their_number(self):
        lines, errors = statement.parse("F1;abc\nF2;-3\nF3;1.234\nF4\nF5;2.00\n")
        assert [line.number for line in lines] == ["F5"]
        assert [e.line_no for e in errors] == [1, 2, 3, 4]
        assert "illisible" in errors[0].message

    def test_pay_1_empty_statement_is_refused(self):
        with pytest.raises(statement.StatementError):
            statement.parse("\ufeff \n")

    def test_pay_1_reconcile_matched_difference_unmatched_and_over_payment(self):
        lines, errors = statement.parse("A;10.00\nB;4.00\nC;1.00\nD;9.00\nA;10.00\n")
        result = statement.reconcile(lines, errors, {"A": Decimal("10.00"), "B": Decimal("6.00"),
                                                     "D": Decimal("5.00")})
        assert [line.number for line, _ in result.matched] == ["A"]
        assert [(line.number, due) for line, due in result.differences] == [("B", Decimal("6.00"))]
        assert [line.number for line in result.unmatched] == ["C"]
        # D pays more than is due (never allowed, PAY-1) and A is listed twice.
        assert sorted(e.line_no for e in result.errors) == [4, 5]
        assert result.total == Decimal("14.00")
        assert not result.can_save

    def test_pay_1_clean_statement_can_be_saved(self):
        lines, errors = statement.parse("A;10.00\nB;4.00\n")
        result = statement.reconcile(lines, errors, {"A": Decimal("10.00"), "B": Decimal("6.00")})
        assert result.can_save


class TestLed2Charts:
    def test_led_2_bar_chart_is_script_free_svg_with_exact_titles(self):
        svg = charts.bar_chart(
            [charts.Group("1", (Decimal("120.50"), Decimal("80.00"))),
             charts.Group("2", (Decimal("0"), Decimal("35.10")))],
            series=("Facturé", "Encaissé"), title="Décembre 2026")
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "<script" not in svg and "style=" not in svg
        assert "120,50 €" in svg and "35,10 €" in svg
        assert 'viewBox="0 0' in svg

    def test_led_2_empty_chart_says_so(self):
        assert "Aucune donnée" in charts.bar_chart([], series=("Facturé",), title="Vide")


class TestLed2Apportion:
    def test_led_2_apportion_adds_up_to_the_cent(self):
        from billing.ledger.figures import apportion
        parts = apportion(Decimal("10.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
        assert sum(parts) == Decimal("10.00")
        assert sorted(parts) == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]

    def test_led_2_received_by_key_spreads_by_payer_share(self):
        from billing.ledger.figures import AllocationRow, InvoiceKeyShare, received_by_key
        shares = [
            InvoiceKeyShare(1, "AMI", Decimal("9.45"), Decimal("5.67"), Decimal("3.78"), ZERO),
            InvoiceKeyShare(1, "IFD", Decimal("2.75"), Decimal("1.65"), Decimal("1.10"), ZERO),
        ]
        got = received_by_key(shares, [AllocationRow(1, "amo", Decimal("7.32"))])
        assert got == {"AMI": Decimal("5.67"), "IFD": Decimal("1.65")}


ZERO = Decimal("0.00")
