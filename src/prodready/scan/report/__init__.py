"""Report renderers: one module per format, each ``ScanResult -> str``.

- ``text``: the terminal report (Rich), grouped by pillar
- ``json``: the versioned result document (``prodready schema``)
- ``sarif``: SARIF 2.1.0 for code-scanning UIs
- ``markdown``: a compact pull-request comment
- ``html``: one self-contained page
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from prodready.scan.model import ScanResult
from prodready.scan.report import html, markdown, sarif, text


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"


def render_json(result: ScanResult) -> str:
    return result.model_dump_json(indent=2) + "\n"


RENDERERS: dict[ReportFormat, Callable[[ScanResult], str]] = {
    ReportFormat.TEXT: text.render,
    ReportFormat.JSON: render_json,
    ReportFormat.SARIF: sarif.render,
    ReportFormat.MARKDOWN: markdown.render,
    ReportFormat.HTML: html.render,
}

EXTENSIONS: dict[str, ReportFormat] = {
    ".txt": ReportFormat.TEXT,
    ".text": ReportFormat.TEXT,
    ".log": ReportFormat.TEXT,
    ".json": ReportFormat.JSON,
    ".sarif": ReportFormat.SARIF,
    ".md": ReportFormat.MARKDOWN,
    ".markdown": ReportFormat.MARKDOWN,
    ".html": ReportFormat.HTML,
    ".htm": ReportFormat.HTML,
}
"""Output file extension -> format, to pair ``--output FILE`` with a ``--format``."""


def render(result: ScanResult, report_format: ReportFormat) -> str:
    return RENDERERS[report_format](result)


__all__ = ["EXTENSIONS", "RENDERERS", "ReportFormat", "render", "render_json"]
