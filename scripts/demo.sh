#!/usr/bin/env bash
# demo.sh — installs what is missing, builds the release preset and runs `vnpu demo`.
#
#   ./scripts/demo.sh            # the async copy/compute overlap demo
#   ./scripts/demo.sh --json     # the same, as JSON (other arguments go to `vnpu demo`)
#
# Installation and build output go to stderr, so stdout carries only the demo's output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

{
  ./scripts/install-deps.sh
  cmake --preset release
  cmake --build --preset release -j"$(nproc)"
} >&2

exec build/release/tools/cli/vnpu demo "$@"
