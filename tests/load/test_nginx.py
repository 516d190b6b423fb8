"""Against Debian's nginx: a server we did not write, with its own keep-alive
rules (here: close every connection after 100 requests)."""

from __future__ import annotations

import pytest

from prodready.load import RunConfig, Target, parse_profile_option, parse_threshold, run

from .conftest import LocalServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load-engine")]


def test_rate_and_keepalive_renewal(nginx: LocalServer) -> None:
    result = run(
        RunConfig(
            targets=(Target(nginx.url("/ok")),),
            stages=(parse_profile_option("constant:rate=1000,duration=3s"),),
            thresholds=(parse_threshold("success>=100%"), parse_threshold("rate>=990/s")),
            workers=1,
            max_lag=0.25,
        )
    )
    assert result.requests.completed == result.requests.succeeded == 3000
    assert result.requests.rate == pytest.approx(1000.0, rel=0.01)
    assert result.status_codes == {"200": 3000}
    assert result.bytes.in_total == 3 * 3000
    assert result.passed, (result.invalid_reasons, result.thresholds)


def test_mixed_statuses_and_bodies(nginx: LocalServer) -> None:
    targets = (
        Target(nginx.url("/ok"), weight=2),
        Target(nginx.url("/created"), "POST", body=b'{"id": 1}'),
        Target(nginx.url("/missing")),
        Target(nginx.url("/static/64k.bin")),
    )
    result = run(
        RunConfig(
            targets=targets,
            stages=(parse_profile_option("constant:rate=250,duration=2s"),),
            workers=2,
            max_lag=0.25,
        )
    )
    assert result.status_codes == {"200": 300, "201": 100, "404": 100}
    assert result.requests.failed == 100
    assert result.success_ratio == pytest.approx(0.8)
    assert [e.message for e in result.errors] == ["404 Not Found"]
    assert result.bytes.in_total == 200 * 3 + 100 * 8 + 100 * 8 + 100 * 65536
    assert result.bytes.out_total == 100 * 9
