#!/usr/bin/env bash
# Records examples/sample.pcap: real kernel TCP traffic between two network namespaces joined
# by a veth pair, captured on the client's side. Needs root, iproute2, tcpdump and node.
# Re-run it only to refresh the sample; the capture it makes is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-examples/sample.pcap}
C=ths-client S=ths-server

cleanup() {
  ip netns pids $C 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids $S 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del $C 2>/dev/null || true
  ip netns del $S 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add $C
ip netns add $S
ip link add ths-c netns $C type veth peer name ths-s netns $S
ip -n $C addr add 10.99.0.1/24 dev ths-c
ip -n $S addr add 10.99.0.2/24 dev ths-s
ip -n $C -6 addr add fd00:99::1/64 dev ths-c nodad
ip -n $S -6 addr add fd00:99::2/64 dev ths-s nodad
for ns in $C $S; do ip -n $ns link set lo up; done
ip -n $C link set ths-c up
ip -n $S link set ths-s up
# 10.99.0.3 resolves to the server's MAC, but the server does not forward: SYNs go unanswered.
server_mac=$(ip -n $S -o link show ths-s | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip -n $C neigh add 10.99.0.3 lladdr "$server_mac" dev ths-c nud permanent

ip netns exec $C tcpdump -q -Z root --immediate-mode -i ths-c -s 0 -U -w "$out" tcp &
tcpdump_pid=$!
sleep 1
ip netns exec $S node scripts/sample-peers.mjs server &
sleep 0.5
# The client's last connection stays open: stop the capture before the client exits.
ip netns exec $C node scripts/sample-peers.mjs client | while read -r line; do
  if [ "$line" = "scenarios done" ]; then sleep 1; kill -INT $tcpdump_pid; break; fi
done
wait $tcpdump_pid 2>/dev/null || true
echo "wrote $out"
