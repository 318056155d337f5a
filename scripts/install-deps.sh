#!/usr/bin/env bash
# Installs what daxbot needs on a fresh Debian machine: Debian packages (only those missing)
# and the npm dependencies (npm ci when node_modules is missing or older than the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  git ca-certificates xz-utils cpio gzip rsync
  # kernel build
  build-essential bc bison flex libelf-dev libssl-dev dwarves ccache kmod
  # sandbox and guest
  bubblewrap qemu-system-x86 busybox-static ndctl daxctl e2fsprogs xfsprogs
  # the cxl-sim runner's smoke suite drives the ndctl package's `cxl` tool and reads its JSON with jq
  jq
  # the nfit-sim runner's external ndctl suite: a cached Debian root filesystem for the guest
  # (debootstrap from the Debian mirror) and per-run copy-on-write disk overlays (qemu-img)
  debootstrap debian-archive-keyring qemu-utils
  # the kernel tree the bot tests against
  linux-source-6.1 linux-source-6.12
  # real local mail servers for the source tests, and b4 to compare series assembly
  public-inbox dovecot-imapd b4
  # a real PostgreSQL server for the fleet store test
  postgresql
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci"
  # The lockfile names every platform package of esbuild and rollup (npm ci refuses a lockfile
  # missing one: "Missing: @rollup/rollup-linux-x64-musl from lock file"); the test
  # test/integration/npm-ci.test.ts keeps it so. Regenerate it with `npm install`, not by hand.
  npm ci --no-audit --no-fund
fi
