"""vegeta, k6 and wrk2 results become the same evidence as prodready's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodready.load import ResultFormatError, apply_thresholds, parse_threshold, read_result

FIXTURES = Path(__file__).parent / "fixtures"


def test_vegeta_json_report() -> None:
    result = read_result(FIXTURES / "vegeta-report.json")
    assert result.source.format == "vegeta"
    assert result.tool.engine == "vegeta"
    assert result.requests.completed == 3000
    assert result.requests.rate == pytest.approx(50.01, abs=0.01)
    assert result.success_ratio == pytest.approx(0.99567, abs=1e-5)
    assert result.requests.succeeded == 2987
    assert result.status_codes == {"201": 2987, "500": 13}
    assert result.errors[0].message == "500 Internal Server Error"
    assert result.duration.attack_s == pytest.approx(59.983753)
    assert result.duration.wait_s == pytest.approx(0.233269968)
    assert result.latency.intended is None  # vegeta does not record it
    service = result.latency.service
    assert service is not None
    assert service.p99_ms == pytest.approx(269.958324)
    assert service.max_ms == pytest.approx(348.796101)
    assert result.bytes.out_total == 348000
    assert result.started_at.isoformat().startswith("2026-11-20T10:00:00")
    assert result.valid
    assert result.passed


def test_thresholds_gate_imported_results() -> None:
    result = read_result(FIXTURES / "vegeta-report.json")
    gated = apply_thresholds(
        result, [parse_threshold("p99<300ms"), parse_threshold("success>=99.9%")]
    )
    assert [t.passed for t in gated.thresholds] == [True, False]
    assert "service time" in (gated.thresholds[0].note or "")
    assert not gated.passed
    assert gated.valid


@pytest.mark.parametrize("name", ["k6-summary-export.json", "k6-handle-summary.json"])
def test_k6_summaries(name: str) -> None:
    result = read_result(FIXTURES / name)
    assert result.source.format == "k6"
    assert result.requests.completed == 30000
    assert result.requests.failed == 30
    assert result.success_ratio == pytest.approx(0.999)
    service = result.latency.service
    assert service is not None
    assert service.p95_ms == pytest.approx(31.7)
    assert service.p99_ms == pytest.approx(88.2)
    assert service.p50_ms == pytest.approx(10.2)
    assert result.bytes.in_total == 5_400_000
    by_expression = {t.expression: t for t in result.thresholds}
    p95 = by_expression["http_req_duration: p(95)<200"]
    assert p95.passed
    assert p95.actual == pytest.approx(31.7)
    assert p95.unit == "ms"
    assert by_expression["http_req_failed: rate<0.01"].passed
    assert by_expression["http_req_failed: rate<0.01"].actual == pytest.approx(0.001)


def test_k6_export_keeps_failed_thresholds() -> None:
    result = read_result(FIXTURES / "k6-summary-export.json")
    p99 = next(t for t in result.thresholds if "p(99)" in t.expression)
    assert not p99.passed  # summary-export stores "failed": true
    assert not result.thresholds_passed
    assert not result.passed


def test_k6_dropped_iterations_make_the_run_invalid() -> None:
    result = read_result(FIXTURES / "k6-handle-summary.json")
    assert result.requests.dropped == 12
    assert not result.valid
    assert "dropped 12 iterations" in result.invalid_reasons[0]
    assert result.duration.total_s == pytest.approx(60.0125)


def test_wrk2_corrected_and_uncorrected() -> None:
    result = read_result(FIXTURES / "wrk2-latency.txt")
    assert result.source.format == "wrk2"
    assert result.target.url == "http://127.0.0.1:8080/drivers"
    intended, service = result.latency.intended, result.latency.service
    assert intended is not None
    assert service is not None
    assert intended.p99_ms == pytest.approx(2.54)
    assert intended.p95_ms == pytest.approx(2.005)  # from the detailed spectrum
    assert intended.mean_ms == pytest.approx(1.035)
    assert intended.max_ms == pytest.approx(5.008)
    assert service.p99_ms == pytest.approx(2.05)
    assert result.requests.completed == 59882
    assert result.requests.rate == pytest.approx(1996.02)
    assert result.requests.failed == 15
    assert {e.message for e in result.errors} == {
        "Non-2xx or 3xx responses",
        "socket errors: timeout",
    }
    assert result.bytes.in_total == int(21.35 * 1024 * 1024)


def test_plain_wrk_is_closed_model_service_time() -> None:
    result = read_result(FIXTURES / "wrk-latency.txt")
    assert result.source.format == "wrk"
    assert result.latency.intended is None
    service = result.latency.service
    assert service is not None
    assert service.p50_ms == pytest.approx(0.047)
    assert service.p99_ms == pytest.approx(6.03)
    assert any("closed-model" in w for w in result.warnings)


def test_forced_format_and_detection_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}')
    with pytest.raises(ResultFormatError, match="not a result prodready can read"):
        read_result(junk)
    with pytest.raises(ResultFormatError, match="'latencies' should be an object"):
        read_result(junk, "vegeta")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ResultFormatError, match="not JSON"):
        read_result(text, "k6")
    with pytest.raises(ResultFormatError, match="not wrk/wrk2 output"):
        read_result(text, "wrk2")
    with pytest.raises(ResultFormatError, match="cannot read"):
        read_result(tmp_path / "absent.json")
    with pytest.raises(ResultFormatError, match="unknown format"):
        read_result(junk, "gatling")


def test_bad_vegeta_values(tmp_path: Path) -> None:
    bad = tmp_path / "v.json"
    bad.write_text('{"latencies": {}, "status_codes": {}, "requests": "many"}')
    with pytest.raises(ResultFormatError, match="'requests' should be a number"):
        read_result(bad)
