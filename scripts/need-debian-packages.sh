#!/usr/bin/env bash
# Installs the Debian packages named on the command line when they are missing, for the
# scripts that need tools the test suite does not (ndpiReader and GNU time for
# `npm run bench:dpi`, dumpcap from tshark for make-sample-capture.sh). Without root or
# apt it only says what is missing; the caller decides whether it can go on without.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "need-debian-packages: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
