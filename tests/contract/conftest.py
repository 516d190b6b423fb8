"""Pact's core reports anonymous usage events over the internet unless told
not to; tests talk to 127.0.0.1 only. Set before pact's FFI starts (it reads
the variable when it runs a mock server or a verification)."""

from __future__ import annotations

import os

os.environ["PACT_DO_NOT_TRACK"] = "true"
