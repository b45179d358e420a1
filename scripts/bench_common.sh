# bench_common.sh — sourced by the peer-comparison scripts (bench-reduce.sh,
# bench-softmax-norm.sh): build, check the binaries, and a directory for their JSON.
#
#   bench_setup PEERS_TARGET     unless BUILD=0: configure the release preset with bench/ and build
#                                vnpu_cli and PEERS_TARGET; set $CLI and $PEERS to the binaries
#                                (exit 1 if one is missing) and $out to $KEEP (kept) or a
#                                temporary directory (removed at exit) for their JSON
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
  mkdir -p "$out"
  if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$out"' EXIT; fi
}
