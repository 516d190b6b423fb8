"""Seed a prodready server with a synthetic fleet's history, through its API.

Used by ``scripts/loadtest-server.sh`` so the load test reads pages backed by
realistic data: every scan is pushed with ``POST /api/v1/scans`` exactly as
``prodready push`` would, so ingest, rollups and trends are the real ones.
The fleet comes from ``prodready.server.sample`` with a fixed seed, so the
service names the load plan requests (``svc-00000`` ...) always exist.

    python loadtests/seed_fleet.py --server http://127.0.0.1:8000 --token prt_...
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from prodready.cli.push import PushError, push_document
from prodready.server.sample import daily_scans, fleet

FLEET_SEED = 7
"""``fleet``'s default seed; the plan's service names depend only on the count."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="server base URL")
    parser.add_argument(
        "--token",
        default=os.environ.get("PRODREADY_TOKEN"),
        help="push token (default: $PRODREADY_TOKEN)",
    )
    parser.add_argument("--services", type=int, default=40, help="services in the fleet")
    parser.add_argument("--teams", type=int, default=6, help="teams the services belong to")
    parser.add_argument("--days", type=int, default=30, help="days of history, one scan a day")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a push token is needed: --token or PRODREADY_TOKEN")
    if args.services < 1 or args.days < 1 or args.teams < 1:
        parser.error("--services, --teams and --days must be at least 1")

    rng = random.Random(1)  # noqa: S311 (simulation)
    services = fleet(args.services, seed=FLEET_SEED, teams=args.teams)
    start = datetime.now(UTC) - timedelta(days=args.days)
    started = time.perf_counter()
    pushed = 0
    try:
        history = daily_scans(services, days=args.days, start=start, rng=rng, spread_minutes=600)
        for document in history:
            push_document(document, args.server, args.token)
            pushed += 1
    except PushError as exc:
        print(f"seed_fleet: push {pushed + 1} failed: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(
        f"seed_fleet: pushed {pushed} scans ({args.services} services x {args.days} days, "
        f"{args.teams} teams) in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
