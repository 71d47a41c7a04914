#!/bin/sh
# Runs one packaging suite (install | nginx | deb) with Node's test runner. Exits 77 (CTest:
# "Skipped") with the reason when this machine cannot run it; everything else is a real result.
set -eu
cd "$(dirname "$0")"
suite=${1:?usage: run.sh install|nginx|deb}
skip() { echo "SKIPPED packaging: $suite: $*"; exit 77; }

[ -d node_modules/ws ] || { echo "tests/packaging: npm packages missing: run tools/npm-install.sh" >&2; exit 1; }
case $suite in
  nginx)
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
      skip "nginx is not installed (apt-get install nginx-light; tools/setup-deps.sh --tests does it)" ;;
  deb)
    [ "$(id -u)" = 0 ] || skip "needs root: it installs and purges kartiba_*.deb system-wide with apt-get"
    for tool in apt-get dpkg-deb dpkg-shlibdeps file setpriv flock; do
      command -v $tool >/dev/null 2>&1 || skip "$tool is missing (tools/setup-deps.sh --tests installs dpkg-dev and file)"
    done
    # One run at a time on this machine (apt and dpkg lock anyway; this waits instead of failing).
    exec 9>/run/lock/kartiba-packaging-deb.lock
    flock -w 1100 9 || { echo "another packaging: deb run holds /run/lock/kartiba-packaging-deb.lock" >&2; exit 1; }
    # A kartiba package or user that this test did not make is someone's real install: hands off.
    # (/var/lib/kartiba-packaging-test.installed marks an install of this test's own that a killed
    # run left behind; deb.test.mjs purges it.)
    if [ ! -e /var/lib/kartiba-packaging-test.installed ]; then
      if dpkg-query -W -f='${Status}' kartiba 2>/dev/null | grep -qE 'installed|config-files|unpacked'; then
        skip "the kartiba package is installed on this machine, and not by this test: it would replace and purge it (apt-get purge kartiba first)"
      fi
      if getent passwd kartiba >/dev/null; then
        skip "a user 'kartiba' exists on this machine, and not made by this test: purging the package would delete it"
      fi
    fi ;;
esac
exec node --test --test-reporter=spec "$suite.test.mjs"
