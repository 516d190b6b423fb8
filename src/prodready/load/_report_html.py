"""The HTML report: one self-contained page (inline CSS and SVG, no script,
nothing fetched), so it can be attached to a CI run or mailed as is.

Charts: latency over time (p50/p90/p99/max of each timeline bucket), asked
and achieved rate over time, and the percentile distribution (HdrHistogram
style, x axis in "nines") of intended-time and service latency. Tables:
summary, thresholds, self-check, status codes, errors, profile, snapshots,
target memory. Every string from the result is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from prodready.load._histogram import decode
from prodready.load._report_text import _format_actual
from prodready.load._result import LoadResult, Percentiles
from prodready.load._units import format_bytes, format_duration, format_ms

Point = tuple[float, float]
_COLORS = ("#2563eb", "#16a34a", "#dc2626", "#7c3aed", "#ea580c")
_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#111827;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}
.sub{color:#4b5563;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:.6rem .9rem;min-width:9rem}
.card b{display:block;font-size:1.2rem}.card span{color:#6b7280;font-size:.85rem}
.pass{color:#15803d}.fail{color:#b91c1c}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
td,th{border:1px solid #e5e7eb;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f9fafb}svg{max-width:100%;height:auto}
.axis{stroke:#9ca3af;stroke-width:1}.grid{stroke:#f3f4f6;stroke-width:1}
text{font-size:11px;fill:#374151}
"""


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 0.5:
        ticks.append(round(value, 12))
        value += step
    return ticks


def _chart(
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_ticks: Sequence[tuple[float, str]] | None = None,
    y_format: str = "{:g}",
    width: int = 960,
    height: int = 300,
    dashed: frozenset[str] = frozenset(),
) -> str:
    points = [p for _, pts in series for p in pts]
    if not points:
        return f"<p>{escape(title)}: no data.</p>"
    left, right, top, bottom = 64, 16, 28, 44
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_min, x_max = min(xs), max(xs)
    if x_ticks:
        x_min = min(x_min, min(t for t, _ in x_ticks))
        x_max = max(x_max, max(t for t, _ in x_ticks))
    if x_max == x_min:
        x_max = x_min + 1
    y_ticks = _nice_ticks(0.0, max(ys) if max(ys) > 0 else 1.0)
    y_max = y_ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - (y / y_max) * plot_h

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{left}" y="16" style="font-size:13px;font-weight:600">{escape(title)}</text>',
    ]
    for tick in y_ticks:
        y = sy(tick)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(y_format.format(tick))}</text>"
        )
    ticks = x_ticks or [(t, f"{t:g}") for t in _nice_ticks(x_min, x_max, 8) if t <= x_max]
    for value, label in ticks:
        x = sx(value)
        parts.append(
            f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" '
            f'y2="{top + plot_h + 4}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
    )
    parts.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>')
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.0f})">{escape(y_label)}</text>'
    )
    legend_x = left + 8
    for index, (name, pts) in enumerate(series):
        color = _COLORS[index % len(_COLORS)]
        if pts:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            dash = ' stroke-dasharray="6 4"' if name in dashed else ""
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="1.6"{dash} points="{path}"/>'
            )
        parts.append(f'<rect x="{legend_x}" y="{top + 4}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{top + 13}">{escape(name)}</text>')
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "\n".join(parts)


def _stairs(points: Sequence[Point], width: float) -> list[Point]:
    """Each bucket as a flat segment over its width: rates were constant
    within a bucket as far as the report knows, not interpolated."""
    out: list[Point] = []
    for x, y in points:
        out.extend([(x, y), (x + width, y)])
    return out


def _percentile_curve(result: LoadResult, source: str) -> list[Point]:
    """(nines, ms): x = log10(1 / (1 - percentile)), as HdrHistogram plots."""
    stored = result.histograms
    text = getattr(stored, source, None) if stored is not None else None
    curve: list[Point] = []
    if text:
        histogram = decode(text)
        for item in histogram.get_percentile_iterator(5):
            level = item.percentile_level_iterated_to / 100
            if level >= 0.999999:
                break
            curve.append((math.log10(1 / (1 - level)), item.value_iterated_to / 1000))
        return curve
    summary: Percentiles | None = getattr(result.latency, source, None)
    if summary is None:
        return curve
    for level, value in (
        (0.5, summary.p50_ms),
        (0.75, summary.p75_ms),
        (0.9, summary.p90_ms),
        (0.95, summary.p95_ms),
        (0.99, summary.p99_ms),
        (0.999, summary.p999_ms),
        (0.9999, summary.p9999_ms),
    ):
        if value is not None:
            curve.append((math.log10(1 / (1 - level)), value))
    return curve


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return "<p>None.</p>"
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not any(headers):
        return f"<table><tbody>{body}</tbody></table>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(passed: bool) -> str:
    return '<span class="pass">pass</span>' if passed else '<span class="fail">FAIL</span>'


def _card(label: str, value: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<div class="card"><b{cls}>{escape(value)}</b><span>{escape(label)}</span></div>'


def render_html(result: LoadResult) -> str:
    r = result.requests
    intended = result.latency.intended
    service = result.latency.service
    title = result.name or result.target.url
    verdict = "PASSED" if result.passed else "FAILED"
    cards = [
        _card("result", verdict, "pass" if result.passed else "fail"),
        _card(
            "self-check", "valid" if result.valid else "invalid", "pass" if result.valid else "fail"
        ),
        _card("achieved rate", f"{r.rate:.1f}/s"),
        _card("asked rate", f"{r.asked_rate:.1f}/s" if r.asked_rate else "n/a"),
        _card(
            "success",
            f"{result.success_ratio * 100:.2f}%" if result.success_ratio is not None else "n/a",
        ),
        _card("requests", f"{r.completed:,}"),
    ]
    if intended is not None:
        cards.append(
            _card(
                "p50 / p99 (intended)",
                f"{format_ms(intended.p50_ms)} / {format_ms(intended.p99_ms)}",
            )
        )
    if service is not None:
        cards.append(
            _card(
                "p50 / p99 (service)", f"{format_ms(service.p50_ms)} / {format_ms(service.p99_ms)}"
            )
        )

    sections = [f'<div class="cards">{"".join(cards)}</div>']
    if result.invalid_reasons or result.warnings:
        items = "".join(f"<li class=fail>{escape(x)}</li>" for x in result.invalid_reasons)
        items += "".join(f"<li>warning: {escape(x)}</li>" for x in result.warnings)
        sections.append(f"<h2>Self-check</h2><ul>{items}</ul>")

    timeline = result.timeline
    if timeline is not None and timeline.points:
        pts = timeline.points
        width = timeline.bucket_s
        end = result.profile.duration_s if result.profile else pts[-1].t_s + width
        lat_series = [
            (name, [(p.t_s + width / 2, v) for p in pts if (v := getattr(p, field)) is not None])
            for name, field in (
                ("p50", "p50_ms"),
                ("p90", "p90_ms"),
                ("p99", "p99_ms"),
                ("max", "max_ms"),
            )
        ]
        sections.append(
            "<h2>Latency over time</h2>"
            + _chart(
                lat_series,
                title="Intended-time latency of the responses in each bucket",
                x_label="seconds",
                y_label="ms",
            )
        )
        # Rates over the schedule only; a partial last bucket counts its own width.
        spans = [(p, min(width, end - p.t_s)) for p in pts if p.t_s < end - 1e-9]
        rate_series = [
            ("sent", _stairs([(p.t_s, p.sent / span) for p, span in spans], width)),
            ("errors", _stairs([(p.t_s, p.errors / span) for p, span in spans], width)),
            (
                "asked",
                _stairs(
                    [(p.t_s, p.asked_rate) for p, _ in spans if p.asked_rate is not None], width
                ),
            ),
        ]
        sections.append(
            _chart(
                rate_series,
                title="Requests per second: sent vs asked (dashed)",
                x_label="seconds",
                y_label="per second",
                dashed=frozenset({"asked"}),
            )
        )

    curves = [
        (name, _percentile_curve(result, source))
        for name, source in (("intended", "intended"), ("service", "service"))
    ]
    nines = [
        (0.0, "0%"),
        (1.0, "90%"),
        (2.0, "99%"),
        (3.0, "99.9%"),
        (4.0, "99.99%"),
        (5.0, "99.999%"),
    ]
    top = max((x for _, c in curves for x, _ in c), default=4.0)
    sections.append(
        "<h2>Latency by percentile</h2>"
        + _chart(
            [c for c in curves if c[1]],
            title="Latency by percentile (HdrHistogram)",
            x_label="percentile",
            y_label="ms",
            x_ticks=[t for t in nines if t[0] <= max(top, 2.0) + 0.01],
        )
    )

    summary_rows = []
    for label, p in (
        ("intended", intended),
        ("service", service),
        ("scheduling lag", result.latency.scheduling_lag),
    ):
        if p is None:
            continue
        summary_rows.append(
            [escape(label)]
            + [
                escape(format_ms(v))
                for v in (
                    p.min_ms,
                    p.mean_ms,
                    p.p50_ms,
                    p.p90_ms,
                    p.p95_ms,
                    p.p99_ms,
                    p.p999_ms,
                    p.max_ms,
                )
            ]
        )
    sections.append(
        "<h2>Latencies</h2>"
        + _table(["", "min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"], summary_rows)
    )

    sections.append(
        "<h2>Thresholds</h2>"
        + _table(
            ["threshold", "actual", "result", "note"],
            [
                [
                    escape(t.expression),
                    escape(_format_actual(t)),
                    _verdict(t.passed),
                    escape(t.note or ""),
                ]
                for t in result.thresholds
            ],
        )
    )

    d = result.duration
    sections.append(
        "<h2>Run</h2>"
        + _table(
            ["", ""],
            [
                [k, escape(v)]
                for k, v in (
                    (
                        "target",
                        result.target.url
                        + (
                            f" (+{result.target.count - 1} more)" if result.target.count > 1 else ""
                        ),
                    ),
                    ("profile", result.profile.description if result.profile else "n/a"),
                    ("started", result.started_at.isoformat()),
                    (
                        "duration",
                        f"total {format_duration(d.total_s)}, attack "
                        f"{format_duration(d.attack_s)}, wait {format_duration(d.wait_s)}",
                    ),
                    (
                        "requests",
                        f"planned {r.planned}, sent {r.sent}, completed {r.completed}, "
                        f"failed {r.failed}, timeouts {r.timeouts}, dropped {r.dropped}, "
                        f"unsent {r.unsent}",
                    ),
                    (
                        "bytes",
                        f"in {format_bytes(result.bytes.in_total)}, "
                        f"out {format_bytes(result.bytes.out_total)}",
                    ),
                    (
                        "engine",
                        f"{result.tool.engine} {result.tool.version}"
                        + (f", client {result.tool.client}" if result.tool.client else "")
                        + (f", {result.tool.event_loop}" if result.tool.event_loop else ""),
                    ),
                )
            ],
        )
    )
    sections.append(
        "<h2>Status codes</h2>"
        + _table(["code", "count"], [[escape(c), str(n)] for c, n in result.status_codes.items()])
    )
    sections.append(
        "<h2>Errors</h2>"
        + _table(["message", "count"], [[escape(e.message), str(e.count)] for e in result.errors])
    )
    if result.snapshots:
        sections.append(
            "<h2>Snapshots</h2>"
            + _table(
                ["t", "completed", "success", "rate", "p50", "p99", "target RSS"],
                [
                    [
                        escape(format_duration(s.t_s)),
                        str(s.completed),
                        f"{s.success_ratio * 100:.2f}%" if s.success_ratio is not None else "n/a",
                        f"{s.rate:.1f}/s",
                        escape(format_ms(s.p50_ms)),
                        escape(format_ms(s.p99_ms)),
                        escape(format_bytes(s.target_rss_bytes)) if s.target_rss_bytes else "n/a",
                    ]
                    for s in result.snapshots
                ],
            )
        )
    process = result.target_process
    if process is not None:
        sections.append("<h2>Target memory</h2><p>" + escape(process.note or "") + "</p>")
        sections.append(
            _chart(
                [("RSS MiB", [(s.t_s, s.rss_bytes / 1048576) for s in process.samples])],
                title=f"RSS of PID {process.pid}",
                x_label="seconds",
                y_label="MiB",
            )
        )

    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Load report: {escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Load report: {escape(title)}</h1>"
        f'<p class="sub">{escape(result.started_at.isoformat())} &middot; '
        f"{escape(result.profile.description if result.profile else result.source.format)}"
        "</p>" + "\n".join(sections) + "</body></html>\n"
    )
