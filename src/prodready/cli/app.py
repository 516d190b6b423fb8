"""The ``prodready`` command: one Typer app, each part's commands in its own module.

Exit codes are part of the interface and documented in ``--help`` and the README:
0 ok, 1 a gate failed, 2 usage or configuration error, 3 internal error.
"""

from __future__ import annotations

import gc
import sys

# Start-up creates several hundred thousand long-lived objects (the commands,
# the generated methods of ~280 dataclasses, pydantic validators, compiled
# patterns) and no garbage: the cyclic collector would walk them over and over
# (~40 ms of a ~0.45 s start). It is paused while the commands load; what they
# loaded is then frozen out of later collections (see the end of the module).
_collecting = gc.isenabled()
gc.disable()

import typer  # noqa: E402 (after pausing the collector, on purpose)

from prodready import __version__  # noqa: E402

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="prodready",
    help=(
        "Score microservices against the production readiness checklist, track them, "
        "and prove them under load.\n\n"
        "Exit codes: 0 ok, 1 a gate failed (score, level or SLO), "
        "2 usage or configuration error, 3 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prodready {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """prodready: production readiness, measured."""


def _register_commands() -> None:
    """Each part registers its commands here, explicitly (no import side effects)."""
    from prodready.cli import scan_commands

    scan_commands.register(app)
    from prodready.cli import server_commands

    server_commands.register(app)
    from prodready.cli import load_commands

    load_commands.register(app)


try:
    _register_commands()
finally:
    gc.freeze()
    if _collecting:
        gc.enable()


def main() -> None:
    """Console-script entry point: map any unexpected exception to exit code 3."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a bare traceback
        typer.echo(f"prodready: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("Please report this with the command you ran.", err=True)
        sys.exit(EXIT_INTERNAL)
