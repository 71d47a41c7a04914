#!/usr/bin/env bash
# Quick start 1: installs what is missing, builds, and runs the server with the demo plan.
# The server prints the dashboard URL with the admin token on its first start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup-deps.sh"
"$root/tools/build.sh" "$root/build"
exec "$root/build/server/kartiba-server" --data "${KARTIBA_DATA:-$root/data}" \
  --listen "${KARTIBA_LISTEN:-127.0.0.1:8080}" --demo "$@"
