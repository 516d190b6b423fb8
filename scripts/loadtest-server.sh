#!/usr/bin/env bash
# `make loadtest-server`: load-test prodready's own server with `prodready load`.
#
# One command, nothing left behind:
#   1. a throwaway SQLite database in a temp dir, migrated (`prodready db upgrade`);
#   2. `prodready serve --port 0` on 127.0.0.1 (a free port), waited for on /readyz;
#   3. a realistic fleet pushed through the API (loadtests/seed_fleet.py:
#      40 services x 30 days of scans, 6 teams);
#   4. `prodready load --plan loadtests/server-read.yaml` against it (the plan's
#      127.0.0.1:8000 rewritten to the server's port), the server's RSS watched;
#   5. the results JSON written to loadtests/results/server-read.json (the
#      evidence the scanner's test.load and live.load-slo checks read), an HTML
#      report to build/loadtest/server-read.html;
#   6. the server stopped (SIGTERM, graceful) and the temp dir removed.
#
# Exit status is prodready load's: 0 the run passed its thresholds, 1 a
# threshold failed or the run was invalid (the results file is still written:
# it is what was measured), 2/3 a usage or internal error; 4 the server or the
# seeding failed before any load was sent.
#
# Environment (all optional):
#   LOADTEST_OUTPUT   results file         (default loadtests/results/server-read.json)
#   LOADTEST_HTML     HTML report          (default build/loadtest/server-read.html)
#   LOADTEST_SERVICES, LOADTEST_DAYS       fleet size (default 40, 30)
#   LOADTEST_KEEP=1   keep the temp dir (database, server log) and print its path
#   PRODREADY, PYTHON                      (default .venv/bin/prodready, .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
fi
if [[ $# -gt 0 ]]; then
  echo "loadtest-server: no arguments expected (see --help); got: $*" >&2
  exit 2
fi

PRODREADY="${PRODREADY:-.venv/bin/prodready}"
PYTHON="${PYTHON:-.venv/bin/python}"
PLAN=loadtests/server-read.yaml
OUTPUT="${LOADTEST_OUTPUT:-loadtests/results/server-read.json}"
HTML="${LOADTEST_HTML:-build/loadtest/server-read.html}"
SERVICES="${LOADTEST_SERVICES:-40}"
DAYS="${LOADTEST_DAYS:-30}"

for tool in "$PRODREADY" "$PYTHON"; do
  if [[ ! -x "$tool" ]]; then
    echo "loadtest-server: $tool not found; run \`make install\` first" >&2
    exit 2
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/prodready-loadtest.XXXXXX")"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "${LOADTEST_KEEP:-0}" == "1" ]]; then
    echo "loadtest-server: kept $WORK (database, server log)" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() {
  echo "loadtest-server: $*" >&2
  if [[ -s "$WORK/serve.log" ]]; then
    echo "--- last lines of the server log:" >&2
    tail -n 20 "$WORK/serve.log" >&2
  fi
  exit 4
}

export PRODREADY_DATABASE_URL="sqlite:///$WORK/prodready.db"
"$PRODREADY" db upgrade >/dev/null
PUSH_TOKEN="$("$PRODREADY" token create --name loadtest-seed --scope push 2>/dev/null)"

"$PRODREADY" serve --port 0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

# `--port 0` prints "prodready serve: listening on http://127.0.0.1:PORT (...)".
BASE=""
for _ in $(seq 1 150); do
  BASE="$(grep -o -m1 'listening on http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" 2>/dev/null |
    sed 's/^listening on //' || true)"
  [[ -n "$BASE" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "prodready serve exited before listening"
  sleep 0.2
done
[[ -n "$BASE" ]] || fail "prodready serve did not report its port within 30 s"

ready() {
  "$PYTHON" - "$1" <<'PY'
import sys
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as response:  # noqa: S310 (loopback)
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
PY
}
for _ in $(seq 1 150); do
  ready "$BASE/readyz" && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "prodready serve exited before it was ready"
  sleep 0.2
done
ready "$BASE/readyz" || fail "$BASE/readyz did not answer 200 within 30 s"
echo "loadtest-server: prodready serve (pid $SERVER_PID) ready at $BASE"

"$PYTHON" loadtests/seed_fleet.py --server "$BASE" --token "$PUSH_TOKEN" \
  --services "$SERVICES" --days "$DAYS" || fail "seeding the fleet failed"

# The committed plan targets the default port; point it at this server.
sed "s#http://127\.0\.0\.1:8000#$BASE#g" "$PLAN" >"$WORK/plan.yaml"
grep -q "$BASE" "$WORK/plan.yaml" || fail "$PLAN has no http://127.0.0.1:8000 target to rewrite"

mkdir -p "$(dirname "$OUTPUT")" "$(dirname "$HTML")"
echo "loadtest-server: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$PRODREADY" load --plan "$WORK/plan.yaml" --watch-pid "$SERVER_PID" --no-progress \
  --output "$OUTPUT" --html "$HTML" || status=$?
echo "loadtest-server: load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $status -le 1 ]] && echo "loadtest-server: results in $OUTPUT, report in $HTML"
kill -0 "$SERVER_PID" 2>/dev/null || fail "prodready serve died during the run"
exit "$status"
