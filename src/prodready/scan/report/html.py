"""A single self-contained HTML page: inline CSS, no scripts, no network.

Rendered with Jinja2 with autoescaping on, so content from the scanned
repository (paths, messages, snippets) can never inject markup; a
Content-Security-Policy meta tag forbids loading anything external.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from prodready.scan.model import ScanResult
from prodready.scan.report._common import by_pillar, level_name, planned_ids, score_text

if TYPE_CHECKING:
    from jinja2 import Environment

_TEMPLATE = "report.html.j2"


def _environment() -> Environment:
    # Imported here, not at the top: only an HTML report needs Jinja2, and it
    # costs ~17 ms of every `prodready` start.
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
    env.globals.update(score=score_text, level=level_name, groups=lambda s: list(by_pillar(s)))
    return env


def render(result: ScanResult) -> str:
    source = resources.files("prodready.scan.report").joinpath("templates", _TEMPLATE)
    template = _environment().from_string(source.read_text(encoding="utf-8"))
    return template.render(result=result, planned=planned_ids(result.policy)) + "\n"
