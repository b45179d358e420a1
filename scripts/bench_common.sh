# bench_common.sh — sourced by the peer-comparison scripts (bench-reduce.sh,
# bench-softmax-norm.sh): build, check the binaries, and a directory for their JSON.
#
#   bench_setup PEERS_TARGET     unless BUILD=0: configure the release preset with bench/ and build
#                                vnpu_cli and PEERS_TARGET; set $CLI and $PEERS to the binaries
#                                (exit 1 if one is missing) and $out to $KEEP (kept) or a
#                                temporary directory (removed at exit) for their JSON
#   bench_torch JSON...          unless TORCH=0: run scripts/bench_torch.py (PyTorch as a peer) on the
#                                cases of the given `vnpu bench --json` outputs into $out/torch.json,
#                                installing Debian's python3-torch first when it is missing (only
#                                here: PyTorch is no dependency of the build or the tests); without
#                                PyTorch it warns and leaves no torch.json
# Sourcing it also sets the defaults of BUILD_DIR, REPS, MIN_TIME, WARMUP, exports VNPU_CORES from
# THREADS, and defines log() (messages on stderr, prefixed with the script's name).

BUILD_DIR=${BUILD_DIR:-build/release}
REPS=${REPS:-15}
MIN_TIME=${MIN_TIME:-0.03}
# Untimed seconds each benchmark runs before its repetitions: the first benchmark of a
# case would otherwise bring the input into the caches for the others (read again, even
# the 64 MiB inputs come largely from this host's caches) and be timed doing it.
WARMUP=${WARMUP:-0.05}
if [[ -n "${THREADS:-}" ]]; then export VNPU_CORES="$THREADS"; fi

log() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2; }

bench_setup() {
  if [[ "${BUILD:-1}" != 0 ]]; then
    log "building the release preset with bench/ ..."
    cmake --preset release -DVNPU_BUILD_BENCHMARKS=ON >/dev/null
    cmake --build --preset release -j2 --target vnpu_cli "$1" >/dev/null
  fi
  CLI="$BUILD_DIR/tools/cli/vnpu"
  PEERS="$BUILD_DIR/bench/$1"
  local bin
  for bin in "$CLI" "$PEERS"; do
    if [[ ! -x "$bin" ]]; then
      log "missing $bin (Google Benchmark not found? build with -DVNPU_BUILD_BENCHMARKS=ON)"
      exit 1
    fi
  done
  out=${KEEP:-$(mktemp -d)}
  rm -f "$out/torch.json"
  mkdir -p "$out"
  if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$out"' EXIT; fi
}

# Debian's python3-torch is a module of Debian's interpreter, which need not be the first
# python3 on PATH (pyenv).
TORCH_PYTHON=${TORCH_PYTHON:-$([[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || echo python3)}

# Installs python3-torch (and python3-numpy) with apt-get when `import torch` fails, as
# install-deps.sh installs the build's packages: as root, or through sudo -n.
ensure_torch() {
  if "$TORCH_PYTHON" -c 'import numpy, torch' 2>/dev/null; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  local as_root=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || return 1
    as_root=(sudo -n)
  fi
  log "installing python3-torch (PyTorch, a peer of the benchmark only) ..."
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends python3-torch python3-numpy >&2 || return 1
  "$TORCH_PYTHON" -c 'import numpy, torch' 2>/dev/null
}

bench_torch() {
  if [[ "${TORCH:-1}" == 0 ]]; then return 0; fi
  if ! ensure_torch; then
    log "no PyTorch (python3-torch could not be installed): the table has no pytorch column"
    return 0
  fi
  log "PyTorch (${REPS} x ${MIN_TIME} s per case) ..."
  PYTHONPATH=scripts "$TORCH_PYTHON" scripts/bench_torch.py "$@" >"$out/torch.json"
}
