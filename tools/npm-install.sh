#!/usr/bin/env bash
# Installs the Node packages of the test suites (npm registry), once per package.json change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root"/tests/*/; do
  [[ -f "$dir/package.json" ]] || continue
  stamp="$dir/node_modules/.kartiba-stamp"
  if [[ -f "$stamp" && "$stamp" -nt "$dir/package.json" ]]; then continue; fi
  echo "npm: installing in ${dir#$root/}" >&2
  if [[ -f "$dir/package-lock.json" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
  touch "$stamp"
done
