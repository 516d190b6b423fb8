"""Policy loading and validation: errors name the file, the key and what was expected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prodready.scan.checks import load_registry
from prodready.scan.model import Pillar
from prodready.scan.policy import (
    Policy,
    PolicyError,
    find_policy_file,
    load_policy,
    parse_size,
)
from tests.scan.conftest import write_tree

KNOWN = load_registry(include_plugins=False).ids()


def load(root: Path, config: Path | None = None) -> Policy:
    return load_policy(root, config, known_checks=KNOWN)


def test_no_file_is_the_default_policy(tmp_path: Path) -> None:
    assert load(tmp_path) == Policy()
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert find_policy_file(tmp_path) is None


def test_full_pyproject_section(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
[tool.prodready]
service = "orders"
owner = "team-orders"
team = "orders"
tier = 1
exclude = ["legacy/**"]
disable = ["obs.dashboards"]
max_file_size = "1MiB"

[tool.prodready.weights.pillars]
sec = 2.0

[tool.prodready.weights.checks]
"test.unit" = 3

[tool.prodready.thresholds]
coverage = 90
test_ratio_target = 0.8

[[tool.prodready.exemptions]]
check = "res.timeouts"
reason = "legacy client, replaced in Q3"
expires = 2026-01-31
paths = ["legacy/**"]
"""
        },
    )
    policy = load(tmp_path)
    assert policy.source == "pyproject.toml"
    assert (policy.service, policy.owner, policy.team, policy.tier) == (
        "orders",
        "team-orders",
        "orders",
        1,
    )
    assert policy.max_file_size == 1024 * 1024
    assert policy.pillar_weight(Pillar.SECURITY) == 2.0
    assert policy.pillar_weight(Pillar.TESTING) == 1.0
    assert policy.check_weight("test.unit", 1.0) == 3.0
    assert policy.thresholds.coverage == 90
    assert policy.thresholds.findings_per_kloc == 10.0  # default kept
    [rule] = policy.exemptions
    assert rule.expires == date(2026, 1, 31)
    assert rule.expired(date(2026, 2, 1))
    assert not rule.expired(date(2026, 1, 31))
    assert policy.exemption_for("res.timeouts") is rule
    assert policy.summary()["disabled"] == ["obs.dashboards"]


def test_prodready_toml_wins_and_accepts_top_level_keys(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.prodready]\nservice = 'from-pyproject'\n",
            "prodready.toml": "service = 'from-prodready-toml'\n",
        },
    )
    assert load(tmp_path).service == "from-prodready-toml"


def test_explicit_config_file(tmp_path: Path) -> None:
    config = write_tree(tmp_path, {"ci/policy.toml": "owner = 'platform'\n"}) / "ci/policy.toml"
    assert load(tmp_path, config).owner == "platform"
    with pytest.raises(PolicyError) as missing:
        load(tmp_path, tmp_path / "nope.toml")
    assert missing.value.key == "--config"


@pytest.mark.parametrize(
    ("body", "key", "expected"),
    [
        ("tier = 'high'", "tool.prodready.tier", "valid integer"),
        ("tier = 9", "tool.prodready.tier", "less than or equal to 5"),
        ("sevice = 'typo'", "tool.prodready.sevice", "not a known key"),
        ("disable = ['doc.readmee']", "tool.prodready.disable", "did you mean doc.readme"),
        (
            "[[tool.prodready.exemptions]]\ncheck = 'doc.readme'\nreason = ''",
            "tool.prodready.exemptions[0].reason",
            "non-empty string",
        ),
        (
            "[[tool.prodready.exemptions]]\ncheck = 'doc.readme'",
            "tool.prodready.exemptions[0].reason",
            "required",
        ),
        (
            "[[tool.prodready.exemptions]]\ncheck = 'doc.readme'\nreason = 'x'\n"
            "expires = 'next year'",
            "tool.prodready.exemptions[0].expires",
            "valid date",
        ),
        (
            "[tool.prodready.weights.pillars]\nsecurity = 2",
            "tool.prodready.weights.pillars.security",
            "cq",
        ),
        (
            "[tool.prodready.weights.checks]\n'test.unit' = -1",
            "tool.prodready.weights.checks.test.unit",
            "greater than or equal to 0",
        ),
        ("max_file_size = 'huge'", "tool.prodready.max_file_size", "2MiB"),
        (
            "[tool.prodready.thresholds]\ntest_ratio_min = 0.9",
            "tool.prodready.thresholds.test_ratio_min",
            "not above",
        ),
    ],
)
def test_invalid_config_names_file_key_and_expectation(
    tmp_path: Path, body: str, key: str, expected: str
) -> None:
    if not body.startswith("[tool"):
        body = "[tool.prodready]\n" + body
    write_tree(tmp_path, {"pyproject.toml": body + "\n"})
    with pytest.raises(PolicyError) as error:
        load(tmp_path)
    assert error.value.file == "pyproject.toml"
    assert error.value.key == key
    assert expected in error.value.expected
    assert str(error.value).startswith(f"pyproject.toml: {key}: ")


def test_broken_toml_in_a_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"prodready.toml": "service = \n"})
    with pytest.raises(PolicyError) as error:
        load(tmp_path)
    assert error.value.file == "prodready.toml"
    assert "valid TOML" in error.value.expected


def test_a_broken_pyproject_without_our_table_is_not_our_business(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[project\n"})
    assert load(tmp_path) == Policy()


def test_service_policy_overrides_and_combines(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "prodready.toml": "owner = 'platform'\ndisable = ['obs.dashboards']\n"
            "[thresholds]\ncoverage = 70\n",
            "svc/prodready.toml": "service = 'svc'\ndisable = ['test.load']\n"
            "exclude = ['gen/**']\n[thresholds]\ntest_ratio_target = 1.0\n"
            "[[exemptions]]\ncheck = 'res.timeouts'\nreason = 'r'\npaths = ['old/**']\n",
        },
    )
    root = load(tmp_path)
    own = load(tmp_path, tmp_path / "svc/prodready.toml")
    merged = root.for_service(own, "svc/")
    assert merged.service == "svc"
    assert merged.owner == "platform"
    assert merged.disable == {"obs.dashboards", "test.load"}
    assert merged.thresholds.coverage == 70
    assert merged.thresholds.test_ratio_target == 1.0
    assert merged.exemptions[0].paths == ("svc/old/**",)
    assert merged.exclude == ("svc/gen/**",)
    assert root.for_service(None, "svc/") is root


def test_sizes() -> None:
    assert parse_size(10) == 10
    assert parse_size("2MiB") == 2 * 1024 * 1024
    assert parse_size("500 kB") == 500_000
    assert parse_size("1.5k") == 1500
    for bad in ("", "-1", "12 parsecs", 0, True):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)  # type: ignore[arg-type]
