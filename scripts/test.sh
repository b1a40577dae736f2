#!/usr/bin/env bash
# Runs every test of clusterdns on a fresh Debian machine (as root, as CI does): installs the
# real clients and servers the tests use, installs npm dependencies, builds, checks production
# dependencies for known vulnerabilities, and runs the test suite with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# command:package pairs of Debian's packages that the tests run for real, and the compiler
# that npm ci needs for the batch UDP addon (node-gyp: python3, make, g++).
needed=(
  dig:bind9-dnsutils kdig:knot-dnsutils dnsperf:dnsperf dnsmasq:dnsmasq-base knotd:knot
  redis-server:redis-server redis-cli:redis-tools ip:iproute2 openssl:openssl getent:libc-bin
  g++:g++ make:make python3:python3
)
missing=()
for pair in "${needed[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
node scripts/audit-production.mjs
mapfile -t tests < <(find dist/test -name '*.test.js' | sort)
# Not --test-force-exit: on Node 20.20 it ended test files before all their tests had run
# (1,656-1,679 of 1,684 tests reported, all passing), so a short count would pass unnoticed.
node --test --test-concurrency=1 "${tests[@]}"
