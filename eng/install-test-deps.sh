#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only where it is missing:
# python3 (Python's xmlrpc is an interop peer), Node.js + npm (node-soap is an interop peer) and the npm packages,
# Debian's chromium + chromium-driver (the widget's browser tests; no browser is ever downloaded by a test tool),
# Debian's nginx (a shared cache in front of the gateway, tests/Tests.Common/NginxProcess.cs), Debian's redis-server
# (Redis mode and the cluster test, tests/Tests.Common/RedisServerProcess.cs).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/bin/redis-server ] || need+=(redis-server)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # nginx's and redis-server's packages start system daemons (on ports 80 and 6379) unless a policy-rc.d forbids it
  # (container images have one). The tests never use them (each runs its own, with its own configuration, on a free
  # loopback port), so a machine without one gets one for this install alone: no daemon, and no install that fails
  # because the default site cannot listen.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Exact versions from the lock file; no scripts run at install.
npm ci --prefix tests/Interop.Tests/scripts --ignore-scripts --no-audit --no-fund --loglevel=error
