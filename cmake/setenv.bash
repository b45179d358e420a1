# setenv.bash — what Ascend C sample run scripts source from <toolkit>/bin: the environment
# of <toolkit>/set_env.sh (this file only forwards to it).
if [ -z "${BASH_VERSION:-}" ]; then
  echo "setenv.bash: source it from bash" >&2
  return 1 2>/dev/null || exit 1
fi
# shellcheck source=/dev/null
source "$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../set_env.sh"
