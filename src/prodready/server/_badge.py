"""README badges: ``/badge/{service}.svg`` shows the score and level.

Shields-style flat SVG, drawn here (no external badge service: the server may
sit on a private network). Text width is estimated from character classes
of Verdana 11px, which is what shields.io renders with.
"""

from __future__ import annotations

from markupsafe import escape

from prodready.server._charts import LEVEL_COLOURS

_NARROW = set("fijlrt.,:;!|'I ")
_WIDE = set("mwMW@%")


def _text_width(text: str) -> float:
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 4.0
        elif char in _WIDE:
            width += 10.0
        elif char.isupper() or char.isdigit():
            width += 7.5
        else:
            width += 6.6
    return width


def badge_svg(label: str, message: str, colour: str) -> str:
    left = round(_text_width(label) + 12)
    right = round(_text_width(message) + 12)
    total = left + right
    label_e, message_e = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {message_e}"><title>{label_e}: {message_e}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2}" y="14">{message_e}</text></g></svg>'
    )


def service_badge(score: float | None, level: str | None) -> str:
    name = level or "no level"
    if score is None:
        return badge_svg("readiness", name, LEVEL_COLOURS["none"])
    return badge_svg(
        "readiness", f"{score:.0f} · {name}", LEVEL_COLOURS.get(level or "none", "#999")
    )


def unknown_badge() -> str:
    return badge_svg("readiness", "unknown service", "#9f9f9f")
