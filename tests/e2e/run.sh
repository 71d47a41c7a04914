#!/usr/bin/env bash
# Runs the browser tests against the real server.
#   KARTIBA_SERVER  path of kartiba-server (default: build/server/kartiba-server)
#   CHROMIUM        browser binary (default: /usr/bin/chromium)
# Installs what is missing: Debian's chromium (when root) and the npm packages (npm ci).
set -euo pipefail
cd "$(dirname "$0")"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e: $chromium is missing (apt-get install chromium)" >&2; exit 1
  fi
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/ws ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node --test --test-concurrency=1
