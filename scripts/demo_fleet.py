"""Push a synthetic fleet's history to a prodready server, for `make demo`.

The real scans the demo pushes are one point each; a dashboard shows trends,
regressions and campaign progress only with history. This pushes ``--days``
daily scans of ``--services`` simulated services (``prodready.server.sample``,
named ``svc-00000``...) so those views have something to show. Demo data only:
it never runs against anything but the URL given.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta

from prodready.cli.push import PushError, push_document, server_breaker
from prodready.server.sample import daily_scans, fleet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", default=None, help="a token with the push scope")
    parser.add_argument("--services", type=int, default=24)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--teams", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(1)  # noqa: S311 (simulation)
    services = fleet(args.services, teams=args.teams)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=args.days - 1)
    breaker = server_breaker(args.server)
    pushed = 0
    try:
        for document in daily_scans(services, days=args.days, start=start, rng=rng):
            push_document(document, args.server, args.token, breaker=breaker)
            pushed += 1
    except PushError as exc:
        print(f"demo_fleet: {exc}", file=sys.stderr)
        return 2
    print(f"pushed {pushed} synthetic scans ({args.services} services x {args.days} days)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
