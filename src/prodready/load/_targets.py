"""Targets: what to request, in which mix, and whether we may.

A run sends a mix of requests (method, URL, headers, body, weight). They
come from one URL on the command line, a list in the plan file, or a
targets file in vegeta's formats:

- ``http``: blocks separated by blank lines: ``METHOD URL``, then
  ``Header: value`` lines, then an optional ``@path/to/body`` line (relative
  to the file). prodready extension: ``weight=N`` after the URL.
- ``json``: one JSON object a line: ``{"method", "url", "header": {name:
  [values]}, "body": base64}``, plus an optional ``"weight"``.

The mix is deterministic: request ``i`` goes to ``cycle[i % len(cycle)]``
where the cycle is nginx's smooth weighted round-robin over the integer
weights, so any run of ``sum(weights)`` requests has the exact proportions
and workers that take every n-th request still add up to them.

Safety: a load generator pointed at the wrong host is an attack. Targets
must be loopback (``localhost``, ``127.0.0.0/8``, ``::1``) unless the host is
explicitly allowed (``--allow-host``: a name, ``*.suffix``, or an IP network).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from prodready.load._errors import ConfigError, TargetNotAllowedError

MAX_WEIGHT = 10_000
MAX_CYCLE = 1_000_000
MAX_BODY_BYTES = 64 * 1024 * 1024
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@dataclass(frozen=True)
class Target:
    """One request of the mix. ``headers`` keep their order and case."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    weight: int = 1
    scheme: str = field(init=False)
    host: str = field(init=False)
    port: int = field(init=False)
    path: str = field(init=False)

    def __post_init__(self) -> None:
        method = self.method.upper()
        if not method or not set(method) <= _TOKEN_CHARS:
            raise ConfigError(f"target {self.url!r}: {self.method!r} is not an HTTP method")
        object.__setattr__(self, "method", method)
        parts = urlsplit(self.url)
        if parts.scheme not in {"http", "https"}:
            raise ConfigError(
                f"target {self.url!r}: expected an http:// or https:// URL "
                f"(e.g. http://127.0.0.1:8080/health)"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"target {self.url!r}: the port is not a number 1-65535") from None
        if not parts.hostname:
            raise ConfigError(f"target {self.url!r}: the URL has no host")
        if not 1 <= self.weight <= MAX_WEIGHT:
            raise ConfigError(f"target {self.url!r}: weight must be 1-{MAX_WEIGHT}")
        for name, value in self.headers:
            if not name or not set(name) <= _TOKEN_CHARS:
                raise ConfigError(f"target {self.url!r}: {name!r} is not a valid header name")
            if any(ch in value for ch in "\r\n\0"):
                raise ConfigError(f"target {self.url!r}: header {name!r} has a line break")
        if len(self.body) > MAX_BODY_BYTES:
            raise ConfigError(f"target {self.url!r}: body larger than 64 MiB")
        object.__setattr__(self, "scheme", parts.scheme)
        object.__setattr__(self, "host", parts.hostname)
        object.__setattr__(self, "port", port or (443 if parts.scheme == "https" else 80))
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        object.__setattr__(self, "path", path)

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_header(text: str, where: str) -> tuple[str, str]:
    """``"Name: value"`` -> ``("Name", "value")``."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ConfigError(f"{where}: {text!r} is not a header (expected 'Name: value')")
    return name.strip(), value.strip()


def load_targets_file(path: Path, fmt: str = "auto") -> list[Target]:
    """Targets from a vegeta-style file (``http`` or ``json`` format)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the targets file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the targets file is not UTF-8 text") from None
    if fmt == "auto":
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        fmt = "json" if first.startswith("{") else "http"
    if fmt == "json":
        targets = _parse_json_targets(text, path)
    elif fmt == "http":
        targets = _parse_http_targets(text, path)
    else:
        raise ConfigError(f"{path}: unknown targets format {fmt!r}; expected http, json or auto")
    if not targets:
        raise ConfigError(f"{path}: no targets in the file")
    return targets


def _parse_http_targets(text: str, path: Path) -> list[Target]:
    targets: list[Target] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line or line.startswith("#"):
            i += 1
            continue
        where = f"{path}:{i + 1}"
        words = line.split()
        if len(words) < 2:
            raise ConfigError(f"{where}: expected 'METHOD URL' (e.g. GET http://127.0.0.1:8080/)")
        method, url, *extra = words
        weight = 1
        for word in extra:
            key, _, value = word.partition("=")
            if key != "weight" or not value.isdigit():
                raise ConfigError(f"{where}: unexpected {word!r} after the URL (only weight=N)")
            weight = int(value)
        headers: list[tuple[str, str]] = []
        body = b""
        i += 1
        while i < len(lines) and lines[i].strip():
            entry = lines[i].strip()
            if entry.startswith("#"):
                pass
            elif entry.startswith("@"):
                body = _read_body(path.parent / entry[1:].strip(), f"{path}:{i + 1}")
            else:
                headers.append(parse_header(entry, f"{path}:{i + 1}"))
            i += 1
        try:
            targets.append(Target(url, method, tuple(headers), body, weight))
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return targets


def _parse_json_targets(text: str, path: Path) -> list[Target]:
    targets: list[Target] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise ConfigError(f'{where}: expected an object with "url" (and "method", "header")')
        headers: list[tuple[str, str]] = []
        raw_headers = item.get("header") or {}
        if not isinstance(raw_headers, dict):
            raise ConfigError(f'{where}: "header" must map names to lists of values')
        for name, values in raw_headers.items():
            for value in values if isinstance(values, list) else [values]:
                headers.append((str(name), str(value)))
        body = b""
        if item.get("body"):
            try:
                body = base64.b64decode(str(item["body"]), validate=True)
            except (binascii.Error, ValueError):
                raise ConfigError(f'{where}: "body" must be base64 (as vegeta writes it)') from None
        weight = item.get("weight", 1)
        if not isinstance(weight, int) or isinstance(weight, bool):
            raise ConfigError(f'{where}: "weight" must be a whole number')
        try:
            targets.append(
                Target(item["url"], str(item.get("method", "GET")), tuple(headers), body, weight)
            )
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return targets


def _read_body(path: Path, where: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BODY_BYTES:
            raise ConfigError(f"{where}: body file {path} is larger than 64 MiB")
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read body file {path}: {exc.strerror}") from None


def weighted_cycle(weights: Sequence[int]) -> list[int]:
    """Target indices in smooth weighted round-robin order, one full cycle."""
    total = sum(weights)
    if total > MAX_CYCLE:
        raise ConfigError(f"the target weights add up to {total}; keep the sum under {MAX_CYCLE}")
    if len(weights) == 1:
        return [0]
    current = [0] * len(weights)
    cycle = []
    for _ in range(total):
        for j, weight in enumerate(weights):
            current[j] += weight
        best = max(range(len(weights)), key=lambda j: current[j])
        current[best] -= total
        cycle.append(best)
    return cycle


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def host_allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    """Loopback, or matched by an ``--allow-host`` entry (name, ``*.suffix``, IP network)."""
    if is_loopback(host):
        return True
    name = host.strip("[]").lower().rstrip(".")
    for entry in allow_hosts:
        allowed = entry.strip().lower().rstrip(".")
        if not allowed:
            continue
        if allowed.startswith("*.") and name.endswith(allowed[1:]):
            return True
        if name == allowed.strip("[]"):
            return True
        try:
            network = ipaddress.ip_network(allowed.strip("[]"), strict=False)
            if ipaddress.ip_address(name) in network:
                return True
        except ValueError:
            continue
    return False


def check_allowed(targets: Sequence[Target], allow_hosts: Sequence[str]) -> None:
    """Refuse any target whose host is neither loopback nor allowed."""
    for entry in allow_hosts:
        if entry.strip() in {"*", "*.", "0.0.0.0/0", "::/0"}:
            raise TargetNotAllowedError(
                f"--allow-host {entry!r} would allow every host; name the hosts you own"
            )
    refused = sorted({t.host for t in targets if not host_allowed(t.host, allow_hosts)})
    if refused:
        raise TargetNotAllowedError(
            f"refusing to load {', '.join(refused)}: only loopback targets are allowed unless "
            f"you add --allow-host {refused[0]} (or allow_hosts in the plan). Only load "
            "systems you own and are allowed to test."
        )
