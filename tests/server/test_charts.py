"""Server-side SVG: well-formed, accessible, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from prodready.server._badge import service_badge, unknown_badge
from prodready.server._charts import Series, level_bar, line_chart, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    text = (
        markup
        if "xmlns" in markup
        else markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )
    return ET.fromstring(text)


def test_line_chart_is_accessible_svg_with_escaped_text() -> None:
    start = date(2026, 1, 1)
    points = [(start + timedelta(days=i), float(i)) for i in range(10)]
    svg = line_chart(
        [Series("<b>score</b>", points), Series("other", [*points[:3], (start, None)])],
        title="Trend of <script>alert(1)</script>",
        y_label="score",
        y_max=100,
    )
    root = _parse(str(svg))
    assert root.get("role") == "img"
    assert "<script>" not in str(svg)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Trend of <script>alert(1)</script>"
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert "lowest 0, highest 9" in (desc.text or "")
    assert len(root.findall(f"{SVG}polyline")) == 2


def test_empty_chart_says_so() -> None:
    assert "No data yet" in str(line_chart([Series("x", [])], title="t", y_label="y"))


def test_level_bar_and_sparkline() -> None:
    bar = _parse(str(level_bar({"none": 1, "bronze": 3, "silver": 0, "gold": 0, "platinum": 1})))
    assert len(bar.findall(f"{SVG}rect")) == 3
    assert str(sparkline([1.0])) == ""
    assert "polyline" in str(sparkline([1.0, None, 3.0]))


def test_badges() -> None:
    badge = ET.fromstring(service_badge(82.4, "gold"))
    assert badge.get("aria-label") == "readiness: 82 · gold"
    assert "no level" in service_badge(None, None)
    assert "unknown service" in unknown_badge()
