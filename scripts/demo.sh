#!/usr/bin/env bash
# `make demo`: scan this repository and the example service, print their reports.
#
# Each scan also keeps its JSON, HTML and SARIF reports in $DEMO_OUT
# (build/demo by default), so a later step of the demo (for example pushing
# the JSON results to a local prodready server) can reuse them:
#   $DEMO_OUT/<name>.json   the scan result (the contract the server ingests)
set -euo pipefail
cd "$(dirname "$0")/.."

PRODREADY="${PRODREADY:-.venv/bin/prodready}"
DEMO_OUT="${DEMO_OUT:-build/demo}"
mkdir -p "$DEMO_OUT"

# scan NAME PATH: print the text report; keep the other formats in $DEMO_OUT.
scan() {
  local name=$1 path=$2
  echo
  echo "==== prodready scan $path"
  "$PRODREADY" scan "$path" --no-progress \
    --format text --format json --format html --format sarif \
    --output "json=$DEMO_OUT/$name.json" \
    --output "html=$DEMO_OUT/$name.html" \
    --output "sarif=$DEMO_OUT/$name.sarif"
}

scan prodready .
scan orders-service examples/orders-service

echo
echo "Reports (JSON, HTML, SARIF) are in $DEMO_OUT/."
