"""Collecting scan warnings without drowning the report in them.

A repository with 10,000 images would otherwise produce 10,000 "binary file
skipped" warnings. ``WarningLog`` keeps the first few of each kind verbatim
and a count of the rest, so the report stays readable and still tells the
whole truth ("... and 9,995 more").
"""

from __future__ import annotations

import threading
from collections import Counter

from prodready.scan.model import ScanWarning

DEFAULT_EXAMPLES_PER_CODE = 5


def json_safe(text: str) -> str:
    """Make a path or message safe for JSON: file names that are not valid
    UTF-8 are kept by Python as lone surrogates; show their bytes as ``\\xNN``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class WarningLog:
    """Thread-safe, aggregating list of ``ScanWarning``."""

    def __init__(self, examples_per_code: int = DEFAULT_EXAMPLES_PER_CODE) -> None:
        self._examples_per_code = examples_per_code
        self._kept: list[ScanWarning] = []
        self._counts: Counter[str] = Counter()
        self._seen: set[tuple[str, str | None, str]] = set()
        self._lock = threading.Lock()

    def add(
        self, code: str, message: str, path: str | None = None, line: int | None = None
    ) -> None:
        key = (code, path, message)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self._counts[code] += 1
            if self._counts[code] <= self._examples_per_code:
                self._kept.append(
                    ScanWarning(
                        code=code,
                        message=json_safe(message),
                        path=json_safe(path) if path is not None else None,
                        line=line if line and line > 0 else None,
                    )
                )

    def count(self, code: str | None = None) -> int:
        with self._lock:
            return self._counts[code] if code else sum(self._counts.values())

    def warnings(self) -> list[ScanWarning]:
        """The kept warnings, then one summary line per code that overflowed."""
        with self._lock:
            result = list(self._kept)
            for code, total in sorted(self._counts.items()):
                extra = total - self._examples_per_code
                if extra > 0:
                    result.append(
                        ScanWarning(
                            code=code,
                            message=f"... and {extra:,} more {code} warnings like the above",
                        )
                    )
            return result
