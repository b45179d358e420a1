#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages vnpu needs to build, test and run.
#
# Idempotent: asks dpkg which packages are already installed and runs apt-get only for
# the missing ones (no apt-get at all when nothing is missing). Works as root (CI, no
# stdin) or as a user with sudo. Meant for Debian 12; elsewhere it lists the packages
# and leaves their installation to you.
set -euo pipefail

# Every package vnpu needs, in one place.
PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libhwy-dev libcli11-dev nlohmann-json3-dev libfmt-dev libtbb-dev
  libdnnl-dev libeigen3-dev clang libclang-rt-dev python3 python3-numpy
  libopenmpi-dev openmpi-bin  # collectives between processes and hosts (vnpu::Communicator, libhccl)
  iproute2  # the two-host test of the collectives: network namespaces (test.sh hccl)
  chromium  # headless: the browser test of the profiler's HTML report (test.sh browser)
)

log() { printf 'install-deps: %s\n' "$*"; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "not a Debian-based system (no dpkg-query/apt-get); make sure these are installed:"
  log "  ${PACKAGES[*]}"
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} packages present"
  exit 0
fi
log "missing: ${missing[*]}"

as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    log "error: not root and sudo is not available." >&2
    log "run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
  # Without a terminal sudo cannot ask for a password: fail at once instead of hanging.
  if [[ ! -t 0 ]]; then as_root=(sudo -n); fi
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (e.g. unattended upgrades) instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300)
"${as_root[@]}" apt-get "${apt_opts[@]}" update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"
log "installed: ${missing[*]}"
