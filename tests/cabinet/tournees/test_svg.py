import re

from cabinet.routing.svg import SvgStop, route_svg


def test_route_svg_draws_every_stop_in_order_without_style_attributes():
    stops = [
        SvgStop(47.40, 0.69, "1", "08:00 DUPONT <Jean>", "done"),
        SvgStop(47.41, 0.70, "2", "08:30", "late"),
        SvgStop(47.39, 0.67, "3"),
    ]
    svg = route_svg((47.3941, 0.6848), stops, title="Tournée de Claire")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "style=" not in svg and "<script" not in svg
    assert [m for m in re.findall(r">(\d)</text>", svg)] == ["1", "2", "3"]
    assert "DUPONT &lt;Jean&gt;" in svg  # escaped
    assert svg.count("marker-mid=") == 4  # start -> 1 -> 2 -> 3 -> back
    assert 'fill="#c62828"' in svg  # the late stop in red
    for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg):
        assert 0 <= float(x) <= 640 and 0 <= float(y) <= 400


def test_route_svg_with_no_stop_or_one_place():
    assert "<rect" in route_svg((47.39, 0.68), [])
    svg = route_svg((47.39, 0.68), [SvgStop(47.39, 0.68, "1")])
    assert "nan" not in svg.lower()


def test_route_svg_shows_both_stops_of_a_patient_seen_morning_and_evening():
    """Issue 16: the morning and evening stops at one address are both visible."""
    import re

    stops = [
        SvgStop(47.40, 0.69, "1", "07:30 DURAND"),
        SvgStop(47.41, 0.70, "2", "08:00 MARTIN"),
        SvgStop(47.40, 0.69, "3", "18:30 DURAND"),
    ]
    svg = route_svg((47.3941, 0.6848), stops)
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="11"', svg)
    assert len(circles) == 3
    (x1, y1), _, (x3, y3) = [(float(x), float(y)) for x, y in circles]
    assert y1 == y3 and abs(x1 - x3) >= 22  # side by side, not on top of each other
    assert ">1</text>" in svg and ">3</text>" in svg
