#!/usr/bin/env bash
# Installs what Ferry needs on a Debian machine with Node 20: the Debian packages
# the platform and its tests run (nats-server, redis-server, haproxy, lftp, curl,
# openssl, prometheus/promtool, prometheus-alertmanager/amtool)
# and the npm packages from the lockfile. Safe to run again: it only installs
# what is missing or out of date. Used by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- Node ---------------------------------------------------------------------
command -v node >/dev/null || die "Node.js is not installed: install Node 20 (20.19 or newer), then run this again"
node_version=$(node -p 'process.versions.node')
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a===20&&b>=19?0:1)' \
  || say "warning: Ferry is tested on Node 20.19+ (20.x); this is Node ${node_version}"

# --- Debian packages ----------------------------------------------------------
# command -> package; /usr/sbin is searched too because Debian puts daemons there.
declare -A packages=([nats-server]=nats-server [redis-server]=redis-server [haproxy]=haproxy [lftp]=lftp [curl]=curl [openssl]=openssl [socat]=socat [jq]=jq [redis-cli]=redis-tools
  [promtool]=prometheus [amtool]=prometheus-alertmanager)
missing=()
for binary in "${!packages[@]}"; do
  PATH="$PATH:/usr/sbin:/sbin" command -v "$binary" >/dev/null || missing+=("${packages[$binary]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Install them as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  command -v apt-get >/dev/null || die "missing ${missing[*]} and apt-get is not available: install them with your package manager"
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || [ -n "$(find /var/lib/apt/lists -maxdepth 0 -mtime +1 2>/dev/null)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get could not install ${missing[*]}"
  # Debian starts some daemons on install; Ferry starts its own, on its own ports.
  for service in nats-server redis-server haproxy prometheus prometheus-alertmanager; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then systemctl stop "$service" || true; fi
  done
fi

# --- npm packages -------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "setup complete"
