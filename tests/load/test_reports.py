"""Reports: vegeta's text layout, histogram buckets, the self-contained HTML page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from prodready.load import (
    ConfigError,
    ResultFormatError,
    parse_buckets,
    read_result,
    render_hist,
    render_html,
    render_text,
)
from prodready.load._histogram import decode

FIXTURES = Path(__file__).parent / "fixtures"
STORED = FIXTURES / "prodready-result.json"


def test_text_report_has_vegeta_lines_in_order() -> None:
    text = render_text(read_result(STORED))
    labels = [line.split("[")[0].strip() for line in text.splitlines()[:8]]
    assert labels == [
        "Requests",
        "Duration",
        "Latencies",
        "Bytes In",
        "Bytes Out",
        "Success",
        "Status Codes",
        "Error Set:",
    ]
    assert re.search(r"^Requests\s+\[total, rate, throughput\]\s+600, 150\.13, ", text, re.M)
    assert re.search(r"^Latencies\s+\[min, mean, 50, 90, 95, 99, max\]\s+\S+µs, ", text, re.M)
    assert "Status Codes  [code:count]" in text
    assert re.search(r"^Service time\s+\[min, mean, 50, 90, 95, 99, max\]", text, re.M)
    assert "p50<1ms: FAIL" in text
    assert "p99<100ms: PASS" in text
    assert text.rstrip().endswith("FAILED")


def test_text_report_of_imported_vegeta_reads_like_vegeta() -> None:
    text = render_text(read_result(FIXTURES / "vegeta-report.json"))
    assert "Requests      [total, rate, throughput]         3000, 50.01, 49.60" in text
    assert "Duration      [total, attack, wait]             1m0.217022968s, 59.983753s, " in text
    assert "186.887664ms" in text
    assert "Success       [ratio]                           99.57%" in text
    assert "Status Codes  [code:count]                      201:2987  500:13" in text
    assert "500 Internal Server Error" in text
    assert "imported from vegeta" in text


def test_hist_buckets_count_every_request() -> None:
    result = read_result(STORED)
    text = render_hist(result, parse_buckets("0,1ms,5ms,20ms,50ms"))
    rows = text.strip().splitlines()
    assert rows[0].split()[:3] == ["Bucket", "#", "%"]
    assert len(rows) == 6
    counts = [int(row.split("]")[1].split()[0]) for row in rows[1:]]
    assert sum(counts) == 600
    assert rows[-1].startswith("[50ms,")
    assert "+Inf]" in rows[-1]
    # The same counts straight from the histogram.
    assert result.histograms is not None
    assert result.histograms.intended is not None
    histogram = decode(result.histograms.intended)
    assert counts[0] == sum(
        i.count_added_in_this_iter_step
        for i in histogram.get_recorded_iterator()
        if i.value_iterated_to < 1000
    )


def test_hist_default_buckets_and_service_latency() -> None:
    result = read_result(STORED)
    text = render_hist(result, latency="service")
    counts = [int(row.split("]")[1].split()[0]) for row in text.strip().splitlines()[1:]]
    assert sum(counts) == 600
    assert len(counts) >= 3


def test_hist_needs_a_histogram() -> None:
    with pytest.raises(ResultFormatError, match="no HDR histogram"):
        render_hist(read_result(FIXTURES / "vegeta-report.json"))


@pytest.mark.parametrize("text", ["", "1ms,0", "hist[0,fast]", "0,0"])
def test_bad_buckets(text: str) -> None:
    with pytest.raises(ConfigError, match="--buckets"):
        parse_buckets(text)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_report_is_self_contained() -> None:
    page = render_html(read_result(STORED))
    collector = _Collector()
    collector.feed(page)
    tags = [tag for tag, _ in collector.tags]
    assert tags.count("svg") >= 3  # latency over time, rate over time, percentiles
    assert "script" not in tags
    for tag, attrs in collector.tags:
        for name in ("src", "href"):
            assert not (attrs.get(name) or "").startswith(("http:", "https:", "//")), (tag, attrs)
    assert "p50&lt;1ms" in page  # escaped
    assert "checkout-api-smoke" in page
    assert "FAILED" in page


def test_html_escapes_everything_from_the_result() -> None:
    result = read_result(STORED)
    hostile = result.model_copy(update={"name": "<script>alert(1)</script>"})
    page = render_html(hostile)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_of_imports_without_timeline() -> None:
    page = render_html(read_result(FIXTURES / "k6-summary-export.json"))
    assert "<svg" in page  # the percentile plot from the summary percentiles
    assert "k6" in page
