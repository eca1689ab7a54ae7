#!/usr/bin/env bash
# Installs what flowsieve needs to build and test on Debian 12: the netfilter -dev
# libraries for native/, the netfilter tools the integration tests drive, dumpcap
# (wireshark-common: the live lab captures on the router to compare with replay), GNU
# time, the shell script linter for the package scripts, nfdump (the IPFIX collector the
# ipfix target is checked against), Chromium for the LuCI page test, and the npm
# dependencies. Idempotent; run as root.
# The test suite needs neither tshark nor ndpiReader: the scripts that compare against
# them install them (need-debian-packages.sh).
set -euo pipefail
# Everything it says goes to stderr: the README's first command pipes the records that
# follow it on stdout into jq.
exec 1>&2
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config musl-tools
  libnetfilter-queue-dev libnftnl-dev libmnl-dev libnetfilter-conntrack-dev
  nftables iptables ipset conntrack iproute2 kmod wireshark-common
  time tzdata
  shellcheck file make
  nfdump
  chromium fonts-dejavu-core
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null; then
  echo "setup-debian: Node.js >= 20 is required (apt-get install nodejs npm)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build
npm run build:native
