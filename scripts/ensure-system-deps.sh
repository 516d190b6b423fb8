#!/usr/bin/env bash
# Installs the real parts the test suite drives (PostgreSQL 15, Chromium) from
# Debian when they are absent. Idempotent; does nothing when all are present.
set -euo pipefail
need=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# prodready.http: the Redis breaker-state store is tested against a real redis-server
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# prodready.load: behaviour tests run against a real nginx (a child process, temp prefix)
{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1 || need+=(nginx-light)
[ ${#need[@]} -eq 0 ] && exit 0
echo "ensure-system-deps: installing ${need[*]} from Debian" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
