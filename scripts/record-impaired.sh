#!/usr/bin/env bash
# Records test/fixtures/impaired/*.pcap: real kernel TCP between two network namespaces joined
# through a third, where scripts/impaired-bridge.py forwards frames between two veths and
# drops, duplicates, delays and reorders chosen segments (this kernel has no netem); plus a
# receiver that stops reading (zero window), SO_KEEPALIVE every second, and packets removed
# from a clean capture afterwards (loss in the capture, not on the wire). tshark is the truth:
# each capture gets its oracle, NAME.pcap.analysis.json, from ../shared/tools/oracle/tshark_analysis.py.
# Needs root, iproute2, python3, dumpcap and tshark. Re-run only to refresh the fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/impaired
oracle=${TSHARK_ANALYSIS:-../shared/tools/oracle/tshark_analysis.py}
C=thi-client M=thi-middle S=thi-server
mkdir -p "$out"
work=$(mktemp -d)

cleanup() {
  for ns in $C $M $S; do
    ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del $ns 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# client --veth-- middle (bridge) --veth-- server, one subnet: the bridge forwards Ethernet.
setup() {
  cleanup
  work=$(mktemp -d)
  for ns in $C $M $S; do ip netns add $ns; ip -n $ns link set lo up; done
  ip link add thi-c netns $C type veth peer name thi-mc netns $M
  ip link add thi-s netns $S type veth peer name thi-ms netns $M
  ip -n $C addr add 10.98.0.1/24 dev thi-c
  ip -n $S addr add 10.98.0.2/24 dev thi-s
  for pair in "$C thi-c" "$M thi-mc" "$M thi-ms" "$S thi-s"; do
    set -- $pair
    ip -n "$1" link set "$2" up
    ip netns exec "$1" python3 scripts/impaired-peers.py offloads "$2"
  done
}

# run NAME SCENARIO RULES CAPTURE_SIDE...: one connection through the bridge with RULES, captured
# on the client's veth (c) and/or the server's (s) into NAME-client.pcap / NAME-server.pcap.
run() {
  local name=$1 scenario=$2 rules=$3; shift 3
  setup
  echo "$rules" > "$work/rules.json"
  ip netns exec $M python3 scripts/impaired-bridge.py thi-mc thi-ms "$work/rules.json" &
  local pids=()
  for side in "$@"; do
    local ns=$C ifc=thi-c; [ "$side" = s ] && ns=$S ifc=thi-s
    local file="$out/$name-$([ "$side" = s ] && echo server || echo client).pcap"
    ip netns exec $ns dumpcap -q -P -s 128 -i $ifc -f tcp -w "$work/$(basename "$file")" 2>/dev/null &
    pids+=($!)
  done
  sleep 1
  ip netns exec $S python3 scripts/impaired-peers.py server &
  sleep 0.5
  ip netns exec $C python3 scripts/impaired-peers.py client "$scenario"
  sleep 1.5 # the last FINs, retransmissions and keep-alives
  kill -INT "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  for side in "$@"; do
    local file="$out/$name-$([ "$side" = s ] && echo server || echo client).pcap"
    cp "$work/$(basename "$file")" "$file"
    echo "wrote $file"
  done
}

# Loss, duplication, delay and reordering of a download, seen from both ends.
run download-impaired download '[
  {"dir": "s2c", "action": "drop", "nth": [4, 11, 12, 19]},
  {"dir": "s2c", "action": "reorder", "nth": [7, 23]},
  {"dir": "s2c", "action": "dup", "ms": 40, "nth": [15]},
  {"dir": "s2c", "action": "delay", "ms": 250, "nth": [27]},
  {"dir": "c2s", "kind": "ack", "action": "drop", "nth": [9]}
]' c s
# Heavy reordering of a download (out-of-order segments at the receiver), seen from both ends.
run reorder download '[
  {"dir": "s2c", "action": "reorder", "nth": [3, 6, 9, 12, 15, 18, 21, 24]},
  {"dir": "s2c", "action": "delay", "ms": 15, "nth": [26]}
]' c s
# An upload with duplicated (soon and late) and reordered segments, seen from both ends.
run upload-dup upload '[
  {"dir": "c2s", "action": "dup", "ms": 5, "nth": [3, 8]},
  {"dir": "c2s", "action": "dup", "ms": 300, "nth": [12]},
  {"dir": "c2s", "action": "reorder", "nth": [18, 20]}
]' c s
# An upload whose segments are lost: duplicate ACKs and fast retransmissions at the sender.
run upload-loss upload '[{"dir": "c2s", "action": "drop", "nth": [6, 14, 15]}]' c
# The receiver stops reading: zero window, window full, probes, window update.
run stall stall '[]' s
# An idle connection with keep-alives every second; one keep-alive ACK lost on the way.
run keepalive keepalive '[{"dir": "s2c", "kind": "ack", "action": "drop", "nth": [4]}]' c
# A clean download, then packets removed from the capture: segments and ACKs it never saw.
run clean download '[]' c
python3 scripts/impaired-cut.py "$out/clean-client.pcap" "$out/capture-loss.pcap" data:5001:6 ack:5001:3,8
rm "$out/clean-client.pcap"

for f in "$out"/*.pcap; do python3 "$oracle" --out-dir "$work" "$f" >/dev/null; cp "$work/$(basename "$f").json" "$f.analysis.json"; done
ls -l "$out"
