"""Commands of the load generator: ``prodready load [run]`` and ``prodready load report``.

Thin by design: merge the plan file and the options into a ``RunConfig``,
call ``prodready.load.run``, print and write the result. ``run`` is the
default subcommand, so ``prodready load URL --rate 500 --duration 60s`` and
``prodready load --plan loadplan.yaml`` work as written.

Exit codes: 0 the run passed (valid, every threshold met); 1 a threshold
failed or the run was invalid; 2 usage or configuration error; 3 internal
error (including a worker that crashed).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from prodready.cli.app import EXIT_GATE_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from prodready.load import LoadResult, Progress, ResolvedPlan, RunConfig

RUN_EPILOG = (
    "Examples:\n\n"
    "  prodready load http://127.0.0.1:8080/health --rate 500 --duration 60s -t 'p99<300ms'\n\n"
    "  prodready load http://127.0.0.1:8080/ --profile step:start=100,step=100,every=10s,steps=5"
    "\n\n"
    "  prodready load http://127.0.0.1:8080/ --stage 30s:200,2m:200,30s:0\n\n"
    "  prodready load --plan loadplan.yaml --output results.json --html report.html\n\n"
    "Exit codes: 0 passed; 1 a threshold failed or the run was invalid (see the self-check); "
    "2 usage or configuration error; 3 internal error."
)


class _DefaultRun(TyperGroup):
    """A group whose default subcommand is ``run``: anything that is not a
    subcommand name (a URL, ``--plan``...) is handed to ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = ["run", *args]
        return super().parse_args(ctx, args)


load_app = typer.Typer(
    cls=_DefaultRun,
    name="load",
    help=(
        "Open-model load tests with HDR latencies and SLO gates.\n\n"
        "`prodready load URL ...` runs a test (the default `run` command); "
        "`prodready load report FILE` prints or converts a result (ours, vegeta, k6, wrk2)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"prodready load: {message}", err=True)
    return typer.Exit(code)


# --- run -------------------------------------------------------------------------------


RUN_HELP = (
    "Run an open-model load test: requests go out on schedule, whatever the target does.\n\n"
    "Latency is measured from each request's intended send time (free of coordinated "
    "omission) and from its actual send (service time). The generator checks itself and "
    "marks the run invalid, with reasons, when it could not apply the asked load."
)
REPORT_HELP = (
    "Print a results file, or convert another tool's results into prodready's.\n\n"
    "Exit codes: 0 the result passed; 1 it did not (invalid, or a threshold failed); "
    "2 the file or an option is wrong."
)


@load_app.command("run", help=RUN_HELP, epilog=RUN_EPILOG)
def run_command(
    urls: Annotated[
        list[str] | None,
        typer.Argument(
            help="Target URL(s), requested in turn. Loopback only unless --allow-host.",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", "-p", help="YAML plan file; options given here override it."),
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option("--targets", help="vegeta-style targets file (http or json format)."),
    ] = None,
    targets_format: Annotated[
        str, typer.Option("--targets-format", help="auto, http or json.")
    ] = "auto",
    method: Annotated[str, typer.Option("--method", "-X", help="HTTP method for URL targets.")] = (
        "GET"
    ),
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="'Name: value' header (repeatable).", show_default=False
        ),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option("--body", help="Request body for URL targets, or @file to read it."),
    ] = None,
    rate: Annotated[
        str | None,
        typer.Option("--rate", "-r", help="Constant rate: 500, 500/s, 30000/m (with --duration)."),
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", "-d", help="Duration of --rate: 30s, 5m, 1h30m.")
    ] = None,
    profile: Annotated[
        list[str] | None,
        typer.Option(
            "--profile",
            help="A stage kind:key=value,... (constant, linear, step, spike, soak, sine); "
            "repeat to play stages in order. See docs/load.md.",
            show_default=False,
        ),
    ] = None,
    stage: Annotated[
        list[str] | None,
        typer.Option(
            "--stage",
            "-s",
            help="k6-style ramps duration:target,... e.g. 30s:100,1m:100,30s:0.",
            show_default=False,
        ),
    ] = None,
    start_rate: Annotated[
        str, typer.Option("--start-rate", help="Rate the first --stage ramps from.")
    ] = "0",
    threshold: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold",
            "-t",
            help="SLO such as 'p99<300ms', 'success>=99.5%', 'rate>=490/s' (repeatable; added "
            "to the plan's).",
            show_default=False,
        ),
    ] = None,
    abort_on_fail: Annotated[
        bool, typer.Option("--abort-on-fail", help="Stop the run as soon as a threshold fails.")
    ] = False,
    workers: Annotated[
        str | None,
        typer.Option("--workers", "-w", help="Worker processes: a number or auto (default: auto)."),
    ] = None,
    connections: Annotated[
        int | None, typer.Option("--connections", "-c", help="Max connections (default: 128).")
    ] = None,
    max_in_flight: Annotated[
        int | None,
        typer.Option(
            "--max-in-flight",
            help="Requests queued or in flight before new ones are dropped "
            "(the run is then invalid) (default: 10000).",
        ),
    ] = None,
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="Per-request timeout (default: 10s).")
    ] = None,
    max_requests: Annotated[
        int | None,
        typer.Option("--max-requests", help="Refuse profiles asking for more (default: 10000000)."),
    ] = None,
    max_duration: Annotated[
        str | None,
        typer.Option("--max-duration", help="Refuse profiles lasting longer (default: 24h)."),
    ] = None,
    max_lag: Annotated[
        str | None,
        typer.Option(
            "--max-lag", help="Scheduling lag p99 above which the run is invalid (default: 10ms)."
        ),
    ] = None,
    client: Annotated[
        str | None,
        typer.Option("--client", help="HTTP client: fast (default) or aiohttp (proxies, slower)."),
    ] = None,
    event_loop: Annotated[
        str | None,
        typer.Option("--event-loop", help="auto (uvloop if installed), uvloop, asyncio."),
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", "-k", help="Do not verify TLS certificates.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Allow a non-loopback host you own: name, *.suffix or IP network (repeatable).",
            show_default=False,
        ),
    ] = None,
    watch_pid: Annotated[
        int | None,
        typer.Option("--watch-pid", help="Sample this process's RSS during the run (leak hint)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the results JSON here.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Report on stdout: text, json or none.")
    ] = "text",
    name: Annotated[str | None, typer.Option("--name", help="A name for this run.")] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress on stderr once a second.")
    ] = True,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and print the plan; send nothing.")
    ] = False,
) -> None:
    """Run an open-model load test: requests go out on schedule, whatever the target does.

    Latency is measured from each request's intended send time (free of coordinated
    omission) and from its actual send (service time). The generator checks itself
    and marks the run invalid, with reasons, when it could not apply the asked load.
    """
    from prodready.load import ConfigError, RunError

    if fmt not in {"text", "json", "none"}:
        raise _fail(f"--format {fmt!r}: expected text, json or none")
    try:
        resolved = _load_plan(plan)
        config = _build_config(
            resolved,
            urls=urls or [],
            targets_file=targets,
            targets_format=targets_format,
            method=method,
            headers=header or [],
            body=body,
            rate=rate,
            duration=duration,
            profiles=profile or [],
            stages=stage or [],
            start_rate=start_rate,
            thresholds=threshold or [],
            abort_on_fail=abort_on_fail,
            workers=workers,
            connections=connections,
            max_in_flight=max_in_flight,
            timeout=timeout,
            max_requests=max_requests,
            max_duration=max_duration,
            max_lag=max_lag,
            client=client,
            event_loop=event_loop,
            insecure=insecure,
            allow_hosts=allow_host or [],
            watch_pid=watch_pid,
            name=name,
        )
        output = output or (resolved.output if resolved else None)
        html = html or (resolved.html if resolved else None)
        for path in (output, html):
            if path is not None:
                _check_writable(path)
        if dry_run:
            _print_dry_run(config)
            raise typer.Exit(EXIT_OK)
        from prodready.load import run

        result = run(config, on_progress=_print_progress if progress else None)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    except RunError as exc:
        raise _fail(f"the run failed: {exc}", EXIT_INTERNAL) from None
    _emit(result, fmt=fmt, output=output, html=html)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_GATE_FAILED)


def _load_plan(plan: Path | None) -> ResolvedPlan | None:
    if plan is None:
        return None
    from prodready.load import load_plan

    return load_plan(plan)


def _duration(text: str | None, option: str) -> float | None:
    from prodready.load import ConfigError
    from prodready.load._units import parse_duration

    if text is None:
        return None
    try:
        value = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None
    if value <= 0:
        raise ConfigError(f"{option}: must be positive, got {text!r}")
    return value


def _build_config(resolved: ResolvedPlan | None, **o: Any) -> RunConfig:
    """Defaults < plan file < options given on the command line."""
    from prodready.load import RunConfig

    plan = resolved.plan if resolved else None
    limits = plan.limits if plan else None
    engine = plan.engine if plan else None

    def pick(option: Any, planned: Any, default: Any) -> Any:
        if option is not None:
            return option
        return planned if planned is not None else default

    default = {f.name: f.default for f in fields(RunConfig)}  # one source of defaults
    return RunConfig(
        targets=_targets_from(resolved, o),
        stages=tuple(_stages_from(resolved, o)),
        thresholds=tuple(_thresholds_from(resolved, o)),
        name=o["name"] or (plan.name if plan else None),
        workers=_workers_from(
            o["workers"] or (str(engine.workers) if engine and engine.workers else None)
        ),
        connections=pick(o["connections"], limits and limits.connections, default["connections"]),
        max_in_flight=pick(
            o["max_in_flight"], limits and limits.max_in_flight, default["max_in_flight"]
        ),
        timeout=pick(
            _duration(o["timeout"], "--timeout"), limits and limits.timeout, default["timeout"]
        ),
        max_requests=pick(
            o["max_requests"], limits and limits.max_requests, default["max_requests"]
        ),
        max_duration=pick(
            _duration(o["max_duration"], "--max-duration"),
            limits and limits.max_duration,
            default["max_duration"],
        ),
        max_lag=pick(
            _duration(o["max_lag"], "--max-lag"), limits and limits.max_lag, default["max_lag"]
        ),
        client=pick(o["client"], engine and engine.client, default["client"]),
        event_loop=pick(o["event_loop"], engine and engine.event_loop, default["event_loop"]),
        allow_hosts=tuple(o["allow_hosts"]) + tuple(plan.allow_hosts if plan else ()),
        watch_pid=pick(o["watch_pid"], plan and plan.watch_pid, None),
        insecure=o["insecure"] or bool(engine and engine.insecure),
    )


def _targets_from(resolved: ResolvedPlan | None, o: dict[str, Any]) -> tuple[Any, ...]:
    from prodready.load import ConfigError, Target, load_targets_file
    from prodready.load._targets import parse_header

    headers = tuple(parse_header(h, "--header") for h in o["headers"])
    body = _read_body(o["body"]) if o["body"] is not None else b""
    if o["urls"] and o["targets_file"] is not None:
        raise ConfigError("give target URLs or --targets, not both")
    if o["urls"]:
        return tuple(Target(url, o["method"], headers, body) for url in o["urls"])
    if o["targets_file"] is not None:
        loaded = load_targets_file(o["targets_file"], o["targets_format"])
        return tuple(Target(t.url, t.method, headers + t.headers, t.body, t.weight) for t in loaded)
    if resolved is not None:
        return tuple(
            Target(t.url, t.method, t.headers + headers, t.body, t.weight) for t in resolved.targets
        )
    raise ConfigError("no target: give a URL (e.g. http://127.0.0.1:8080/), --targets or --plan")


def _stages_from(resolved: ResolvedPlan | None, o: dict[str, Any]) -> list[Any]:
    from prodready.load import (
        ConfigError,
        ConstantStage,
        parse_profile_option,
        parse_stage_option,
        stages_from_ramps,
    )
    from prodready.load._units import parse_rate

    stages: list[Any] = []
    if o["rate"] is not None or o["duration"] is not None:
        if o["rate"] is None or o["duration"] is None:
            raise ConfigError("--rate and --duration go together (or use --profile / --stage)")
        try:
            rate = parse_rate(o["rate"])
        except ValueError as exc:
            raise ConfigError(f"--rate: {exc}") from None
        if rate <= 0:
            raise ConfigError(f"--rate: must be positive, got {o['rate']!r}")
        stages.append(ConstantStage(rate=rate, duration=_duration(o["duration"], "--duration")))
    stages.extend(parse_profile_option(spec) for spec in o["profiles"])
    ramps = [ramp for text in o["stages"] for ramp in parse_stage_option(text)]
    if ramps:
        try:
            start = parse_rate(o["start_rate"])
        except ValueError as exc:
            raise ConfigError(f"--start-rate: {exc}") from None
        stages.extend(stages_from_ramps(ramps, start))
    if not stages and resolved is not None:
        stages = list(resolved.stages)
    if not stages:
        raise ConfigError(
            "no load profile: give --rate and --duration, --profile, --stage or a plan "
            "with a profile"
        )
    return stages


def _thresholds_from(resolved: ResolvedPlan | None, o: dict[str, Any]) -> list[Any]:
    from prodready.load import parse_threshold

    thresholds = list(resolved.thresholds) if resolved else []
    if o["abort_on_fail"]:
        thresholds = [
            parse_threshold(t.expression, abort_on_fail=True, delay=t.delay) for t in thresholds
        ]
    thresholds += [parse_threshold(t, abort_on_fail=o["abort_on_fail"]) for t in o["thresholds"]]
    return thresholds


def _workers_from(text: str | None) -> int | None:
    from prodready.load import ConfigError

    if text is None or text == "auto":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ConfigError(f"--workers {text!r}: expected a number of processes or auto")


def _read_body(text: str) -> bytes:
    from prodready.load import ConfigError

    if not text.startswith("@"):
        return text.encode("utf-8")
    path = Path(text[1:])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"--body {text}: cannot read {path}: {exc.strerror}") from None


def _check_writable(path: Path) -> None:
    """Fail before the run, not after it, when a result could not be saved."""
    from prodready.load import ConfigError

    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; give a file name")
    if not parent.is_dir():
        raise ConfigError(f"{path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"{path}: cannot write into {parent}")


def _write(path: Path, text: str) -> None:
    """Atomically: a reader never sees half a results file. The temporary file
    is created like any other (so the umask decides its permissions)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("x", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _emit(result: LoadResult, *, fmt: str, output: Path | None, html: Path | None) -> None:
    from prodready.load import render_html, render_text

    document = result.model_dump_json(indent=2) + "\n"
    for path, text, what in ((output, document, "results"), (html, None, "HTML report")):
        if path is None:
            continue
        try:
            _write(path, text if text is not None else render_html(result))
        except OSError as exc:
            # The run is over; keep its results on stdout rather than lose them.
            typer.echo(f"prodready load: cannot write the {what} to {path}: {exc}", err=True)
            if fmt != "json":
                typer.echo(document)
            raise typer.Exit(EXIT_USAGE) from None
        typer.echo(f"prodready load: wrote the {what} to {path}", err=True)
    if fmt == "text":
        typer.echo(render_text(result), nl=False)
    elif fmt == "json":
        typer.echo(document, nl=False)


def _print_progress(p: Progress) -> None:
    from prodready.load._units import format_ms

    ok = f"{p.success_ratio * 100:.2f}%" if p.success_ratio is not None else "-"
    rate = f"{p.rate:.1f}/s" if p.rate is not None else "-"
    line = (
        f"[{p.elapsed:6.1f}s/{p.duration:g}s] sent {p.sent}  rate {rate} "
        f"(asked {p.asked_rate:.1f}/s)  ok {ok}  p50 {format_ms(p.p50_ms)}  "
        f"p99 {format_ms(p.p99_ms)}  in flight {p.in_flight}  lag p99 {format_ms(p.lag_p99_ms)}"
    )
    if p.target_rss_bytes is not None:
        line += f"  target RSS {p.target_rss_bytes / 1048576:.1f}MiB"
    print(line, file=sys.stderr, flush=True)


def _print_dry_run(config: RunConfig) -> None:
    from prodready.load import validate
    from prodready.load._engine import resolve_workers
    from prodready.load._units import format_duration

    profile = validate(config)
    workers = resolve_workers(config.workers, profile.peak_rate)
    lines = [
        f"targets      {len(config.targets)}: "
        + ", ".join(
            f"{t.method} {t.url}" + (f" x{t.weight}" if t.weight > 1 else "")
            for t in config.targets[:5]
        )
        + (" ..." if len(config.targets) > 5 else ""),
        f"profile      {profile.description}",
        f"schedule     {profile.planned_requests} requests over "
        f"{format_duration(profile.duration)} (mean {profile.mean_rate:.2f}/s, "
        f"peak {profile.peak_rate:.2f}/s)",
        f"engine       {workers} worker(s), {config.connections} connections, client "
        f"{config.client}, timeout {format_duration(config.timeout)}",
        "thresholds   " + (", ".join(t.expression for t in config.thresholds) or "none"),
        "dry run: nothing was sent",
    ]
    typer.echo("\n".join(lines))


# --- report ----------------------------------------------------------------------------


@load_app.command("report", help=REPORT_HELP)
def report_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A results file: prodready's, vegeta report -type=json, a k6 JSON summary, "
            "or wrk2 --latency output.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text, json (prodready's schema), hist or html.")
    ] = "text",
    source: Annotated[
        str,
        typer.Option("--from", help="Input format: auto, prodready, vegeta, k6 or wrk2."),
    ] = "auto",
    threshold: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold",
            "-t",
            help="Evaluate these thresholds instead of the recorded ones (repeatable).",
            show_default=False,
        ),
    ] = None,
    buckets: Annotated[
        str | None,
        typer.Option("--buckets", help="hist buckets, e.g. 0,1ms,2ms,5ms (default: automatic)."),
    ] = None,
    latency: Annotated[
        str, typer.Option("--latency", help="hist of: intended, service or scheduling_lag.")
    ] = "intended",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here, not stdout.")
    ] = None,
) -> None:
    """Print a results file, or convert another tool's results into prodready's.

    Exit codes: 0 the result passed; 1 it did not (invalid, or a threshold failed);
    2 the file or an option is wrong.
    """
    from prodready.load import (
        ConfigError,
        ResultFormatError,
        apply_thresholds,
        parse_buckets,
        parse_threshold,
        read_result,
        render_hist,
        render_html,
        render_text,
    )

    if fmt not in {"text", "json", "hist", "html"}:
        raise _fail(f"--format {fmt!r}: expected text, json, hist or html")
    if latency not in {"intended", "service", "scheduling_lag"}:
        raise _fail(f"--latency {latency!r}: expected intended, service or scheduling_lag")
    try:
        if output is not None:
            _check_writable(output)
        result = read_result(file, source)
        if threshold:
            result = apply_thresholds(result, [parse_threshold(t) for t in threshold])
        if fmt == "text":
            text = render_text(result)
        elif fmt == "json":
            text = result.model_dump_json(indent=2) + "\n"
        elif fmt == "html":
            text = render_html(result)
        else:
            text = render_hist(result, parse_buckets(buckets) if buckets else None, latency)
    except (ConfigError, ResultFormatError) as exc:
        raise _fail(str(exc)) from None
    if output is not None:
        try:
            _write(output, text)
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc}") from None
        typer.echo(f"prodready load: wrote {output}", err=True)
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_GATE_FAILED)


@load_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the load results file (docs/schema/load-result.schema.json)."""
    from prodready.load import load_result_json_schema

    typer.echo(json.dumps(load_result_json_schema(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.add_typer(load_app, name="load")
