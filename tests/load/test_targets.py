"""Targets: vegeta-style files, the weighted mix, and the loopback rule."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path

import pytest

from prodready.load import (
    ConfigError,
    Target,
    TargetNotAllowedError,
    check_allowed,
    load_targets_file,
)
from prodready.load._http1 import encode_request
from prodready.load._targets import host_allowed, is_loopback, weighted_cycle


def test_target_parses_its_url() -> None:
    target = Target("http://127.0.0.1:8080/drivers?near=1")
    assert (target.scheme, target.host, target.port, target.path) == (
        "http",
        "127.0.0.1",
        8080,
        "/drivers?near=1",
    )
    assert target.host_header == "127.0.0.1:8080"
    assert Target("https://localhost/").port == 443
    assert Target("https://localhost/").host_header == "localhost"
    assert Target("http://[::1]:9000").host_header == "[::1]:9000"
    assert Target("http://localhost").path == "/"


@pytest.mark.parametrize(
    ("url", "method", "message"),
    [
        ("ftp://127.0.0.1/", "GET", "expected an http"),
        ("http:///nohost", "GET", "no host"),
        ("http://127.0.0.1:99999/", "GET", "port"),
        ("http://127.0.0.1/", "GE T", "not an HTTP method"),
    ],
)
def test_bad_targets(url: str, method: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Target(url, method)


def test_headers_cannot_smuggle_lines() -> None:
    with pytest.raises(ConfigError, match="line break"):
        Target("http://127.0.0.1/", headers=(("X-A", "1\r\nX-B: 2"),))


def test_request_bytes() -> None:
    target = Target(
        "http://127.0.0.1:8080/things",
        "POST",
        headers=(("Content-Type", "application/json"),),
        body=b'{"a":1}',
    )
    wire = encode_request(target, "prodready-load/test")
    assert wire == (
        b"POST /things HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: prodready-load/test\r\n"
        b"Content-Type: application/json\r\nContent-Length: 7\r\n\r\n"
        b'{"a":1}'
    )
    custom = Target("http://127.0.0.1/", headers=(("Host", "api.internal"),))
    assert b"Host: api.internal\r\n" in encode_request(custom, "x")
    assert encode_request(custom, "x").count(b"Host:") == 1


def test_vegeta_http_targets_file(tmp_path: Path) -> None:
    (tmp_path / "new.json").write_text('{"name": "x"}')
    path = tmp_path / "targets.txt"
    path.write_text(
        "# the mix\n"
        "GET http://127.0.0.1:8080/drivers weight=3\n"
        "X-Account-ID: 8675309\n"
        "\n"
        "POST http://127.0.0.1:8080/drivers\n"
        "Content-Type: application/json\n"
        "@new.json\n"
        "\n"
        "DELETE http://127.0.0.1:8080/drivers/1\n"
    )
    targets = load_targets_file(path)
    assert [t.method for t in targets] == ["GET", "POST", "DELETE"]
    assert targets[0].weight == 3
    assert targets[0].headers == (("X-Account-ID", "8675309"),)
    assert targets[1].body == b'{"name": "x"}'


def test_vegeta_json_targets_file(tmp_path: Path) -> None:
    path = tmp_path / "targets.jsonl"
    lines = [
        {"method": "GET", "url": "http://127.0.0.1:1/a", "header": {"Accept": ["text/plain"]}},
        {
            "method": "PUT",
            "url": "http://127.0.0.1:1/b",
            "body": base64.b64encode(b"payload").decode(),
            "weight": 2,
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    targets = load_targets_file(path)
    assert targets[0].headers == (("Accept", "text/plain"),)
    assert targets[1].body == b"payload"
    assert targets[1].weight == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("GET\n", r"targets.txt:1: expected 'METHOD URL'"),
        ("GET http://127.0.0.1/ fast=1\n", "only weight=N"),
        ("GET http://127.0.0.1/\nnot a header\n", r"targets.txt:2: .*is not a header"),
        ("GET http://127.0.0.1/\n@missing.json\n", "cannot read body file"),
        ("GET ftp://127.0.0.1/\n", r"targets.txt:1: .*expected an http"),
        ("\n\n", "no targets"),
    ],
)
def test_targets_file_errors_are_located(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "targets.txt"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_targets_file(path, "http")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ('{"method": "GET"}', 'with "url"'),
        ('{"url": "http://127.0.0.1/", "body": "%%%"}', "base64"),
        ('{"url": "http://127.0.0.1/", "weight": "2"}', "whole number"),
    ],
)
def test_json_targets_errors(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_targets_file(path, "json")


def test_missing_targets_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the targets file"):
        load_targets_file(tmp_path / "nope.txt")


def test_weighted_cycle_is_exact_and_smooth() -> None:
    cycle = weighted_cycle([3, 1, 1])
    assert Counter(cycle) == {0: 3, 1: 1, 2: 1}
    assert cycle[:2] != [0, 0] or cycle[2] != 0  # interleaved, not 0,0,0,1,2
    # Two workers taking every other request of a repeated cycle still add up.
    many = (cycle * 40)[:200]
    assert Counter(many[0::2]) + Counter(many[1::2]) == {0: 120, 1: 40, 2: 40}
    assert weighted_cycle([1]) == [0]


def test_loopback_detection() -> None:
    for host in (
        "127.0.0.1",
        "127.1.2.3",
        "localhost",
        "api.localhost",
        "::1",
        "[::1]",
        "::ffff:127.0.0.1",
    ):
        assert is_loopback(host), host
    for host in ("10.0.0.1", "example.com", "0.0.0.0", "::ffff:10.0.0.1"):
        assert not is_loopback(host), host


def test_allow_host_forms() -> None:
    assert host_allowed("staging.example.com", ["staging.example.com"])
    assert host_allowed("a.staging.example.com", ["*.staging.example.com"])
    assert not host_allowed("example.com", ["*.example.com"])
    assert host_allowed("10.1.2.3", ["10.0.0.0/8"])
    assert not host_allowed("11.1.2.3", ["10.0.0.0/8"])


def test_non_loopback_targets_are_refused() -> None:
    with pytest.raises(TargetNotAllowedError, match=r"--allow-host example\.com"):
        check_allowed([Target("http://example.com/")], [])
    check_allowed([Target("http://example.com/")], ["example.com"])
    with pytest.raises(TargetNotAllowedError, match="every host"):
        check_allowed([Target("http://127.0.0.1/")], ["*"])
