#!/usr/bin/env bash
# Installs what kartiba needs to build and test on Debian 12, skipping what is already there.
# Usage: tools/setup-deps.sh [--tests] [--cluster]
#   (none)     what a single node needs to build and run;
#   --tests    adds what the test suites need, PostgreSQL 15 and libpq for the cluster suite among them;
#   --cluster  adds what tools/cluster needs: PostgreSQL, Patroni, etcd and HAProxy.
# A single node (the Quick start) needs neither PostgreSQL nor the cluster tools.
set -euo pipefail

tests=0
cluster=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    --cluster) cluster=1 ;;
    *) echo "setup: unknown option $arg (use --tests and/or --cluster)" >&2; exit 2 ;;
  esac
done

packages=(g++ cmake ninja-build ccache pkg-config curl tzdata ca-certificates
          librocksdb-dev libboost1.74-dev libboost-system1.74-dev nlohmann-json3-dev catch2
          libhowardhinnant-date-dev libssl-dev libcli11-dev libjemalloc-dev
          libpq-dev)
packages+=(libicu-dev)  # ICU's collator: names sorted as the plan's language sorts them
if ((tests)); then
  packages+=(chromium dpkg-dev file nginx-light caddy libreoffice-calc-nogui clang libclang-rt-14-dev
             postgresql-15)
fi
if ((cluster)); then
  # Patroni 3.0 keeps its leader key in etcd 3.4 (python3-etcd is its etcd client);
  # HAProxy spreads the viewers over the nodes.
  packages+=(postgresql-15 patroni python3-etcd etcd-server etcd-client haproxy)
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
  # policy-rc.d: Debian's postgresql, etcd and haproxy packages start a system service on install;
  # kartiba's tests and tools start their own instances in temporary folders instead.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
    $SUDO chmod +x $policy
    made_policy=1
  fi
  trap '((made_policy)) && $SUDO rm -f '"$policy" EXIT
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
