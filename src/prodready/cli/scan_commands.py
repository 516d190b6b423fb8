"""Commands of the scanner: scan, checks, explain, init, schema.

Thin by design: parse options, call ``prodready.scan``, print. Exit codes:
0 ok, 1 a gate failed (--fail-under / --min-level), 2 usage or configuration
error, 3 internal error (raised as an exception, mapped by ``app.main``).
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prodready.cli._gc import batch_collection
from prodready.cli.app import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE
from prodready.scan.checks.registry import Registry, load_registry
from prodready.scan.engine import ScanOptions, UsageError, scan
from prodready.scan.init_template import InitError, write_init
from prodready.scan.model import Level, ScanResult, scan_result_json_schema
from prodready.scan.policy import PolicyError
from prodready.scan.report import EXTENSIONS, ReportFormat, render
from prodready.scan.report import text as text_report


def _fail(message: str) -> typer.Exit:
    typer.echo(f"prodready: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


class _RichProgress:
    """Progress bar on stderr (only used when stderr is a terminal)."""

    def __init__(self) -> None:
        # Imported here: only a scan on a terminal shows a bar (~9 ms of start-up).
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None

    def __enter__(self) -> _RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


def _plan_outputs(
    formats: Sequence[ReportFormat], outputs: Sequence[str]
) -> list[tuple[ReportFormat, Path | None]]:
    """Pair each format with its destination (None = stdout).

    ``--output json=FILE`` names the format; ``--output FILE`` is matched by
    extension (``.json``, ``.sarif``, ``.md``, ``.html``, ``.txt``) or, with
    a single format, taken as that format's file.
    """
    chosen = list(dict.fromkeys(formats))
    explicit: dict[ReportFormat, Path] = {}
    loose: list[str] = []
    for raw in outputs:
        head, sep, tail = raw.partition("=")
        if sep and head in {f.value for f in ReportFormat}:
            explicit[ReportFormat(head)] = Path(tail)
        else:
            loose.append(raw)
    for raw in loose:
        by_ext = EXTENSIONS.get(Path(raw).suffix.lower())
        if by_ext is not None and (by_ext in chosen or not chosen):
            target = by_ext
        elif len(chosen) == 1:
            target = chosen[0]
        else:
            raise _fail(
                f"--output {raw}: cannot tell which format it is for; "
                f"write --output FORMAT={raw} (formats: {', '.join(f.value for f in chosen)})"
            )
        if target in explicit:
            raise _fail(f"--output {raw}: format {target.value} already has an output file")
        explicit[target] = Path(raw)
    for target in explicit:
        if target not in chosen:
            chosen.append(target)
    if not chosen:
        chosen = [ReportFormat.TEXT]
    plan = [(f, explicit.get(f)) for f in chosen]
    to_stdout = [f.value for f, path in plan if path is None or str(path) == "-"]
    if len(to_stdout) > 1:
        raise _fail(
            f"formats {', '.join(to_stdout)} would all go to standard output; "
            "give all but one an --output FILE"
        )
    return [(f, None if path is not None and str(path) == "-" else path) for f, path in plan]


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())


def scan_command(
    path: Annotated[
        Path, typer.Argument(help="The repository to scan (default: the current directory).")
    ] = Path("."),
    formats: Annotated[
        list[ReportFormat] | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format; repeat for several (text, json, sarif, markdown, html).",
            case_sensitive=False,
        ),
    ] = None,
    outputs: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            help=(
                "Write a format to FILE instead of standard output; repeatable. "
                "FORMAT=FILE names the format, otherwise the extension decides "
                "(.json .sarif .md .html .txt)."
            ),
            metavar="[FORMAT=]FILE",
        ),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            help="Exit 1 when the score (of --service, else the repository) is below SCORE.",
            metavar="SCORE",
        ),
    ] = None,
    min_level: Annotated[
        Level | None,
        typer.Option(
            "--min-level", help="Exit 1 when this level is not reached.", case_sensitive=False
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", help="Run only these check ids or pillars (comma-separated, repeatable)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Skip these check ids or pillars (comma-separated)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Policy file (prodready.toml or a pyproject.toml with \\[tool.prodready]).",
            metavar="FILE",
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service", help="Score only this service (its name or folder).", metavar="NAME"
        ),
    ] = None,
    no_progress: Annotated[
        bool,
        typer.Option(
            "--no-progress",
            help="No progress bar (it is off anyway when stderr is not a terminal).",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help=(
                "Processes that analyse files, and threads that run checks, in parallel "
                "(default: CPU count; 1 = everything in this process)."
            ),
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help=(
                "Do not read or write the fact cache (per-file facts kept by content hash in "
                "$PRODREADY_CACHE_DIR or the user cache directory; a rescan re-analyses only "
                "changed files). The result is the same either way."
            ),
        ),
    ] = False,
    push_to: Annotated[
        str | None,
        typer.Option(
            "--push",
            help=(
                "After the scan, push its JSON result to this prodready server "
                "(e.g. http://localhost:8000); retried safely, the server stores it once."
            ),
            metavar="URL",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="API token with a push scope for --push (default: $PRODREADY_TOKEN).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score a repository against the production readiness checklist.

    Exit codes: 0 ok; 1 a gate failed (--fail-under or --min-level); 2 usage or
    configuration error (the message names the file, key and what was
    expected), or --push failed (the reports are written all the same);
    3 internal error.
    """
    if push_to is not None:
        _check_push_url(push_to)
    plan = _plan_outputs(formats or [], outputs or [])
    options = ScanOptions(
        config=config,
        select=_split(select or []),
        ignore=_split(ignore or []),
        service=service,
        jobs=jobs,
        cache=not no_cache,
    )
    show_progress = not no_progress and sys.stderr.isatty()
    with batch_collection():
        try:
            if show_progress:
                with _RichProgress() as progress:
                    result = scan(path, options, progress=progress)
            else:
                result = scan(path, options)
        except (UsageError, PolicyError) as exc:
            raise _fail(str(exc)) from None
        _write_reports(result, plan)
    gate = _gate(result, fail_under, min_level, service)
    pushed = push_to is None or _push(result, push_to, token)
    raise typer.Exit(gate if gate != EXIT_OK or pushed else EXIT_USAGE)


def _check_push_url(server: str) -> None:
    """Refuse a bad --push URL before scanning, not after."""
    from prodready.cli.push import PushError, api_url

    try:
        api_url(server)
    except PushError as exc:
        raise _fail(f"--push: {exc}") from None


def _push(result: ScanResult, server: str, token: str | None) -> bool:
    """Push the scan's JSON result (the same document ``--format json`` writes)."""
    from prodready.cli.push import PushError, push_document

    document = json.loads(render(result, ReportFormat.JSON))
    try:
        pushed = push_document(document, server, token or os.environ.get("PRODREADY_TOKEN"))
    except PushError as exc:
        typer.echo(f"prodready: error: --push: {exc}", err=True)
        return False
    state = "stored" if pushed.created else "already stored"
    typer.echo(f"pushed to {server}: scan {pushed.scan_id} {state}", err=True)
    return True


def _write_reports(result: ScanResult, plan: list[tuple[ReportFormat, Path | None]]) -> None:
    for report_format, destination in plan:
        if destination is None:
            if report_format is ReportFormat.TEXT:
                console = Console(markup=False, emoji=False, highlight=False)
                text_report.print_report(result, console)
            else:
                sys.stdout.write(render(result, report_format))
                sys.stdout.flush()
            continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(render(result, report_format), encoding="utf-8")
        except OSError as exc:
            raise _fail(f"--output {destination}: cannot write ({exc.strerror})") from None
        typer.echo(f"wrote {report_format.value} report to {destination}", err=True)


def _gate(
    result: ScanResult, fail_under: float | None, min_level: Level | None, service: str | None
) -> int:
    subject = result.services[0] if service else result
    label = f"service {result.services[0].name}" if service else "repository"
    failures = []
    if fail_under is not None and (subject.score is None or subject.score < fail_under):
        shown = "n/a" if subject.score is None else f"{subject.score:.1f}"
        failures.append(f"{label} score {shown} is under --fail-under {fail_under:g}")
    if min_level is not None and (subject.level is None or subject.level.rank < min_level.rank):
        reached = subject.level.value if subject.level else "none"
        blockers = f" (blocked by {', '.join(subject.blockers)})" if subject.blockers else ""
        failures.append(f"{label} level {reached} is below --min-level {min_level.value}{blockers}")
    for failure in failures:
        typer.echo(f"prodready: gate failed: {failure}", err=True)
    return EXIT_GATE_FAILED if failures else EXIT_OK


def checks_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
) -> None:
    """List the check catalogue: id, pillar, level, title and status.

    Status is the check's lifecycle (stable, experimental, deprecated), or
    "planned" when this version does not judge it yet (planned checks are
    never scored or shown as passing).
    """
    registry = load_registry()
    rows = [
        {
            "id": c.id,
            "pillar": c.spec.pillar.value,
            "level": c.spec.level.value,
            "title": c.spec.title,
            "status": c.spec.lifecycle.value if c.implemented else "planned",
            "source": c.source,
        }
        for c in registry
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"prodready checks ({len(rows)})", title_justify="left")
    for column in ("id", "pillar", "level", "title", "status"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(Text(str(row[k])) for k in ("id", "pillar", "level", "title", "status")))
    Console(markup=False, highlight=False).print(table)
    _print_problems(registry)


def _print_problems(registry: Registry) -> None:
    for problem in registry.problems:
        typer.echo(f"warning: {problem}", err=True)


def explain_command(
    check_id: Annotated[str, typer.Argument(help="A check id, e.g. res.timeouts.", metavar="ID")],
) -> None:
    """Explain a check: why it matters, how to fix it, references and examples."""
    registry = load_registry()
    check = registry.get(check_id)
    if check is None:
        close = difflib.get_close_matches(check_id, registry.ids(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `prodready checks` lists them"
        raise _fail(f"unknown check id {check_id!r}{hint}")
    spec = check.spec
    console = Console(markup=False, highlight=False, emoji=False)
    status = spec.lifecycle.value if check.implemented else "planned (not judged by this version)"
    console.print(Text(f"{spec.id}: {spec.title}", style="bold"))
    console.print(
        Text(
            f"pillar {spec.pillar.label} · level {spec.level.value} · {status} · "
            f"weight {spec.weight:g} · from {check.source}",
            style="dim",
        )
    )
    sections = [("Passes when", spec.passes_when), ("Why it matters", spec.why)]
    sections.append(("How to fix", spec.how_to_fix))
    for title, body in sections:
        if body:
            console.print()
            console.print(Text(title, style="bold"))
            console.print(Text(body))
    for example in spec.examples:
        console.print()
        verdict = "passes" if example.passes else "fails"
        console.print(Text(f"Example ({verdict}): {example.title}", style="bold"))
        console.print(Text(example.body.rstrip("\n")), style="cyan")
    if spec.references:
        console.print()
        console.print(Text("References", style="bold"))
        for reference in spec.references:
            console.print(Text(f"  {reference}"))


def init_command(
    path: Annotated[Path, typer.Argument(help="The repository folder.")] = Path("."),
    standalone: Annotated[
        bool,
        typer.Option("--toml", help="Write prodready.toml even when a pyproject.toml exists."),
    ] = False,
    stdout: Annotated[
        bool, typer.Option("--stdout", help="Print the section instead of writing a file.")
    ] = False,
) -> None:
    """Write a commented policy: a \\[tool.prodready] section appended to
    pyproject.toml, or a prodready.toml. Never overwrites existing settings."""
    try:
        written, text = write_init(path, standalone=standalone, dry_run=stdout)
    except InitError as exc:
        raise _fail(str(exc)) from None
    if stdout:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote the prodready policy to {written}")


def schema_command() -> None:
    """Print the JSON Schema of the scan result (the contract the server ingests)."""
    typer.echo(json.dumps(scan_result_json_schema(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
    app.command("checks")(checks_command)
    app.command("explain")(explain_command)
    app.command("init")(init_command)
    app.command("schema")(schema_command)
