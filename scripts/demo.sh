#!/usr/bin/env bash
# `make demo`: scan this repository and a few example services, push the
# results (and a synthetic fleet's history) to a fresh local prodready server,
# and leave that server running with its dashboard URL printed.
#
# Everything lands in $DEMO_OUT (build/demo by default):
#   <name>.json / .html / .sarif   each scan's reports
#   prodready.db                   the server's SQLite database (recreated each run)
#   serve.log, serve.pid           the server's JSON logs and process id
# Stop the server with `make demo-stop` (or kill "$(cat build/demo/serve.pid)").
#
# Knobs: DEMO_PORT (default 8000, or a free port when 8000 is taken),
# DEMO_SERVE=0 to scan only, DEMO_FLEET=0 to skip the synthetic history,
# DEMO_FLEET_SERVICES / DEMO_FLEET_DAYS (24 / 30) to size it.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-.venv/bin}"
PRODREADY="${PRODREADY:-$BIN/prodready}"
DEMO_OUT="${DEMO_OUT:-build/demo}"
DEMO_PORT="${DEMO_PORT:-8000}"
mkdir -p "$DEMO_OUT"

# scan NAME PATH [quiet]: keep JSON, HTML and SARIF; print the text report unless quiet.
scan() {
  local name=$1 path=$2 quiet=${3:-}
  local -a text=(--format text)
  [[ -n "$quiet" ]] && text=()
  echo
  echo "==== prodready scan $path"
  "$PRODREADY" scan "$path" --no-progress "${text[@]}" \
    --format json --format html --format sarif \
    --output "json=$DEMO_OUT/$name.json" \
    --output "html=$DEMO_OUT/$name.html" \
    --output "sarif=$DEMO_OUT/$name.sarif"
}

stop_previous() {
  local pidfile="$DEMO_OUT/serve.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "stopping the previous demo server (pid $(cat "$pidfile"))"
    kill "$(cat "$pidfile")" && sleep 1
  fi
  rm -f "$pidfile"
}

scan prodready .
scan orders-service examples/orders-service
# Three more services of different maturity (the scanner's accuracy corpus).
scan payments-api tests/fixtures/repos/acc-fastapi-payments quiet
scan pricing-go tests/fixtures/repos/acc-go-gin-pricing quiet
scan legacy-bare tests/fixtures/repos/acc-legacy-bare quiet

echo
echo "Reports (JSON, HTML, SARIF) are in $DEMO_OUT/."
[[ "${DEMO_SERVE:-1}" == "0" ]] && exit 0

echo
echo "==== a fresh prodready server on SQLite"
stop_previous
DEMO_OUT_ABS="$(cd "$DEMO_OUT" && pwd)"
export PRODREADY_DATABASE_URL="sqlite:///$DEMO_OUT_ABS/prodready.db"
rm -f "$DEMO_OUT"/prodready.db "$DEMO_OUT"/prodready.db-*
"$PRODREADY" db upgrade
PRODREADY_TOKEN="$("$PRODREADY" token create --name demo --scope push 2>/dev/null)"
export PRODREADY_TOKEN
port="$DEMO_PORT"
if ! "$BIN/python" -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null; then
  echo "port $port is taken; using a free one"
  port=0
fi
"$PRODREADY" serve --host 127.0.0.1 --port "$port" >"$DEMO_OUT/serve.log" 2>&1 &
echo $! >"$DEMO_OUT/serve.pid"
url=""
for _ in $(seq 1 150); do  # up to 30 s
  url="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$DEMO_OUT/serve.log" | head -1 | cut -d' ' -f3 || true)"
  if [[ -n "$url" ]] && "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url/readyz" 2>/dev/null; then break; fi
  if ! kill -0 "$(cat "$DEMO_OUT/serve.pid")" 2>/dev/null; then
    echo "the server did not start; its log ($DEMO_OUT/serve.log):" >&2
    cat "$DEMO_OUT/serve.log" >&2
    exit 2
  fi
  sleep 0.2
done
[[ -n "$url" ]] || { echo "the server did not answer in 30 s; see $DEMO_OUT/serve.log" >&2; exit 2; }

"$PRODREADY" push "$DEMO_OUT"/{prodready,orders-service,payments-api,pricing-go,legacy-bare}.json --server "$url"
if [[ "${DEMO_FLEET:-1}" != "0" ]]; then
  "$BIN/python" scripts/demo_fleet.py --server "$url" --token "$PRODREADY_TOKEN" \
    --services "${DEMO_FLEET_SERVICES:-24}" --days "${DEMO_FLEET_DAYS:-30}"
fi

echo
echo "Dashboard:  $url/"
echo "API docs:   $url/docs"
echo "A badge:    $url/badge/prodready.svg"
echo "The server keeps running in the background (pid $(cat "$DEMO_OUT/serve.pid"), log $DEMO_OUT/serve.log)."
echo "Stop it with: make demo-stop"
