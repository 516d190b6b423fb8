"""Exceptions of ``prodready.load``.

Every problem a user can cause is a ``LoadError`` with a message that names
the file, key or option and what was expected, so the CLI can print it and
exit 2 without a traceback. Lower-level errors (YAML, pydantic, OS, aiohttp)
are translated at the boundary of the module that meets them.

Exception tree::

    LoadError                     base of everything raised on purpose
      ConfigError                 bad plan file, option, profile or threshold
        TargetNotAllowedError     a target host that is not loopback or allowed
      ResultFormatError           a results file (ours or imported) we cannot read
      RunError                    the engine could not run (workers died, no start)
"""

from __future__ import annotations


class LoadError(Exception):
    """Base class for every error ``prodready.load`` raises on purpose."""


class ConfigError(LoadError):
    """The plan, an option, a profile or a threshold is invalid (exit code 2)."""


class TargetNotAllowedError(ConfigError):
    """A target's host is neither loopback nor in ``--allow-host``."""


class ResultFormatError(LoadError):
    """A results file is not a prodready, vegeta, k6 or wrk2 result we can read."""


class RunError(LoadError):
    """The engine failed to run (a worker died or never started)."""
