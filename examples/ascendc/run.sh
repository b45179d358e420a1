#!/usr/bin/env bash
# run.sh — builds the examples in one mode and runs them, as Ascend C sample projects do.
#
#   ./run.sh -r cpu|npu [-v SOC_VERSION] [-i TOOLKIT]
#
# -r  cpu: kernels launched with ICPU_RUN_KF; npu: AscendCL streams and generated launchers
# -v  the chip the kernels are written for (default Ascend910B1)
# -i  the toolkit (a vnpu install prefix); default: $ASCEND_CANN_PACKAGE_PATH from set_env.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

run_mode=cpu
soc=Ascend910B1
toolkit=${ASCEND_CANN_PACKAGE_PATH:-${ASCEND_HOME_PATH:-}}
while getopts "r:v:i:h" opt; do
  case $opt in
    r) run_mode=$OPTARG ;;
    v) soc=$OPTARG ;;
    i) toolkit=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
if [[ $run_mode != cpu && $run_mode != npu ]]; then
  echo "run.sh: -r cpu or -r npu, not '$run_mode'" >&2
  exit 2
fi
if [[ -z $toolkit || ! -d $toolkit ]]; then
  echo "run.sh: no toolkit: give -i <prefix> or source <prefix>/set_env.sh" >&2
  exit 2
fi
export LD_LIBRARY_PATH=$toolkit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

build=build_${run_mode}_${soc}
cmake -S . -B "$build" -DRUN_MODE="$run_mode" -DSOC_VERSION="$soc" -DASCEND_CANN_PACKAGE_PATH="$toolkit" >/dev/null
cmake --build "$build" -j2 >/dev/null
for example in add_custom reduce_sum softmax layer_norm; do
  "./$build/$example"
done
