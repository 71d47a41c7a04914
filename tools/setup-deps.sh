#!/usr/bin/env bash
# Installs what kartiba needs to build and test on Debian 12, skipping what is already there.
# Usage: tools/setup-deps.sh [--tests]   (--tests adds what the test suites need)
set -euo pipefail

packages=(g++ cmake ninja-build ccache pkg-config curl tzdata ca-certificates
          librocksdb-dev libboost1.74-dev libboost-system1.74-dev nlohmann-json3-dev catch2
          libhowardhinnant-date-dev libssl-dev libcli11-dev libjemalloc-dev)
packages+=(libicu-dev)  # ICU's collator: names sorted as the plan's language sorts them
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(chromium dpkg-dev file nginx-light caddy libreoffice-calc-nogui clang libclang-rt-14-dev)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
