"""Plan files: validated YAML whose errors name the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodready.load import ConfigError, build_profile, load_plan

PLAN = """
name: drivers-api
targets:
  - url: http://127.0.0.1:8080/drivers
    weight: 3
    headers: {Accept: application/json}
  - url: http://127.0.0.1:8080/drivers
    method: POST
    body_file: new-driver.json
headers:
  X-Load-Test: "true"
profile:
  - {type: linear, from: 0, to: 200, duration: 10s}
  - {type: constant, rate: 200/s, duration: 1m}
  - type: spike
    base: 200
    peak: 800
    duration: 30s
    at: 10s
    length: 5s
thresholds:
  - p99<300ms
  - threshold: success>=99.5%
    abort_on_fail: true
    delay: 10s
limits: {timeout: 2s, connections: 64, max_lag: 5ms}
engine: {workers: 2, client: fast}
output: results/latest.json
html: report.html
"""


def write(tmp_path: Path, text: str, name: str = "loadplan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_full_plan(tmp_path: Path) -> None:
    (tmp_path / "new-driver.json").write_text('{"name": "Budi"}')
    resolved = load_plan(write(tmp_path, PLAN))
    assert resolved.plan.name == "drivers-api"
    assert [t.weight for t in resolved.targets] == [3, 1]
    assert resolved.targets[0].headers == (("X-Load-Test", "true"), ("Accept", "application/json"))
    assert resolved.targets[1].body == b'{"name": "Budi"}'
    profile = build_profile(resolved.stages)
    assert profile.duration == 100
    assert [t.expression for t in resolved.thresholds] == ["p99<300ms", "success>=99.5%"]
    assert resolved.thresholds[1].abort_on_fail
    assert resolved.thresholds[1].delay == 10
    assert resolved.plan.limits.timeout == 2
    assert resolved.plan.limits.max_lag == pytest.approx(0.005)
    assert resolved.plan.engine.workers == 2
    assert resolved.output == tmp_path / "results" / "latest.json"
    assert resolved.html == tmp_path / "report.html"


def test_shorthand_and_k6_stages(tmp_path: Path) -> None:
    short = load_plan(write(tmp_path, "target: http://127.0.0.1:1/\nrate: 50\nduration: 10s\n"))
    assert build_profile(short.stages).planned_requests == 500
    k6 = load_plan(
        write(
            tmp_path,
            "target: http://127.0.0.1:1/\nstart_rate: 10\n"
            "stages:\n  - {duration: 10s, target: 30}\n  - {duration: 5s, target: 30}\n",
            "k6.yaml",
        )
    )
    assert build_profile(k6.stages).planned_requests == 200 + 150


def test_targets_file_relative_to_plan(tmp_path: Path) -> None:
    (tmp_path / "mix.txt").write_text("GET http://127.0.0.1:1/a\n\nGET http://127.0.0.1:1/b\n")
    plan = "targets_file: mix.txt\nheaders: {X-Run: '1'}\nrate: 1\nduration: 1s\n"
    resolved = load_plan(write(tmp_path, plan))
    assert [t.path for t in resolved.targets] == ["/a", "/b"]
    assert resolved.targets[0].headers == (("X-Run", "1"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("target: [oops\n", r"loadplan.yaml:\d+:\d+: YAML syntax error"),
        ("", "the plan is empty"),
        ("- just a list\n", "expected a mapping"),
        (
            "target: http://127.0.0.1:1/\nprofile:\n  - {type: constant, rate: fast, "
            "duration: 1s}\n",
            r"loadplan.yaml: profile\[0\].rate: expected a rate such as 500.*got 'fast'",
        ),
        (
            "target: http://127.0.0.1:1/\nprofile:\n  - {type: constant, rate: 1, duration: 1s}\n"
            "  - {type: wave, rate: 1}\n",
            r"loadplan.yaml: profile\[1\]: unknown type; expected one of",
        ),
        (
            "target: http://127.0.0.1:1/\nprofile:\n  - {rate: 1, duration: 1s}\n",
            r"profile\[0\]: a 'type' key is required",
        ),
        ("target: http://127.0.0.1:1/\nrate: 5\n", "'rate' and 'duration' go together"),
        ("target: http://127.0.0.1:1/\nrate: 5\nduraton: 1s\n", "duraton: unknown key"),
        (
            "target: http://127.0.0.1:1/\ntargets_file: x.txt\nrate: 1\nduration: 1s\n",
            "give one of target, targets or targets_file",
        ),
        (
            "target: http://127.0.0.1:1/\nrate: 1\nduration: 1s\nthresholds: [p99~1s]\n",
            r"thresholds\[0\]: threshold 'p99~1s': expected METRIC OP VALUE",
        ),
        (
            "target: http://127.0.0.1:1/\nrate: 1\nduration: 1s\nlimits: {timeout: soon}\n",
            r"limits.timeout: expected a duration",
        ),
        (
            "target: http://127.0.0.1:1/\nrate: 1\nduration: 1s\nengine: {client: curl}\n",
            r"engine.client: Input should be 'fast' or 'aiohttp'",
        ),
        ("target: ftp://127.0.0.1/\nrate: 1\nduration: 1s\n", "expected an http"),
        (
            "targets:\n  - {url: 'http://127.0.0.1/', body_file: nope.json}\nrate: 1\n"
            "duration: 1s\n",
            r"targets\[0\].body_file: cannot read",
        ),
        ("version: 2\ntarget: http://127.0.0.1/\n", "version: Input should be 1"),
    ],
)
def test_plan_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_plan(path)
    assert str(path) in str(caught.value)


def test_missing_plan(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the plan"):
        load_plan(tmp_path / "absent.yaml")


def test_example_plans_are_valid(repo_root: Path) -> None:
    examples = sorted((repo_root / "examples" / "load").glob("*.yaml"))
    assert examples, "examples/load/ has the example plans"
    for path in examples:
        resolved = load_plan(path)
        assert resolved.targets, path
        assert build_profile(resolved.stages).planned_requests > 0, path
