#!/usr/bin/env bash
# two_hosts.sh PROGRAM [ARGS...] — runs PROGRAM as two MPI ranks on two "hosts": network
# namespaces joined by a veth pair (10.213.0.1 and 10.213.0.2), each with a hostname of its
# own (a UTS namespace), so that Open MPI sees two nodes. mpirun starts in the first; its
# launcher agent enters the second the way ssh would reach another machine. MPI is held to
# TCP over the veth (btl tcp,self), so the ranks talk as across a network. Needs root
# (ip netns, unshare). Exits with the program's status; the namespaces are removed.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 PROGRAM [ARGS...]" >&2; exit 2; }
A=vnpu-host-a B=vnpu-host-b NET=10.213.0
work=$(mktemp -d)
cleanup() {
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup_stale() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
cleanup_stale
ip netns add "$A"
ip netns add "$B"
ip link add vnpu-veth-a type veth peer name vnpu-veth-b
ip link set vnpu-veth-a netns "$A"
ip link set vnpu-veth-b netns "$B"
ip -n "$A" addr add "$NET.1/24" dev vnpu-veth-a
ip -n "$B" addr add "$NET.2/24" dev vnpu-veth-b
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set vnpu-veth-a up
ip -n "$B" link set vnpu-veth-b up

# The launcher agent: called as `agent [ssh options] HOST COMMAND...`; runs COMMAND in host
# B's namespace with B's hostname, through a shell, as sshd would.
cat >"$work/agent" <<AGENT
#!/bin/sh
while [ \$# -gt 0 ] && [ "\$1" != "$NET.2" ]; do shift; done
shift
exec ip netns exec $B unshare --uts sh -c "hostname vnpu-host-b; \$*"
AGENT
chmod +x "$work/agent"

program=$(readlink -f "$1")
shift
quoted=$(printf '%q ' "$program" "$@")
env_flags="-x PATH"
[[ -n "${LD_LIBRARY_PATH:-}" ]] && env_flags+=" -x LD_LIBRARY_PATH"
ip netns exec "$A" unshare --uts sh -c "hostname vnpu-host-a; exec mpirun --allow-run-as-root \
  -H $NET.1:1,$NET.2:1 -np 2 --mca plm_rsh_agent $work/agent \
  --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include $NET.0/24 --mca oob_tcp_if_include $NET.0/24 \
  $env_flags $quoted"
