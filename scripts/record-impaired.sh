#!/usr/bin/env bash
# Records test/fixtures/impaired/*.pcap: real kernel TCP between two network namespaces joined
# through a third, where scripts/impaired-bridge.py forwards frames between two veths and
# drops, duplicates, delays and reorders chosen segments (this kernel has no netem); plus a
# receiver that stops reading (zero window), SO_KEEPALIVE every second, and packets removed
# from a clean capture afterwards (loss in the capture, not on the wire); then many connections
# at once with seeded random loss, resets, unanswered SYNs, a reused source port, TCP Fast Open,
# SACK, timestamps or window scaling turned off, IPv6, and both ends' captures merged into one.
# tshark is the truth: each capture gets its oracle, NAME.pcap.analysis.json, from
# ../shared/tools/oracle/tshark_analysis.py. Needs root, iproute2, python3, dumpcap, mergecap and
# tshark. Re-run only to refresh the fixtures: with no arguments all of them, else the runs named
# (record-impaired.sh tfo resets; "clean" makes capture-loss); the random rules are seeded, the
# kernel's timing is not, so a new recording differs: re-derive its ladder-mark exclusions.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/impaired
oracle=${TSHARK_ANALYSIS:-../shared/tools/oracle/tshark_analysis.py}
C=thi-client M=thi-middle S=thi-server
mkdir -p "$out"
work=$(mktemp -d)
only=" $* " written=()
wanted() { [ "$only" = "  " ] || [[ $only == *" $1 "* ]]; }

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
  ip -n $C addr add fd98::1/64 dev thi-c nodad
  ip -n $S addr add fd98::2/64 dev thi-s nodad
  ip netns exec $M sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  for kv in ${SYSCTLS:-}; do for ns in $C $S; do ip netns exec $ns sysctl -qw "$kv"; done; done
  for pair in "$C thi-c" "$M thi-mc" "$M thi-ms" "$S thi-s"; do
    set -- $pair
    ip -n "$1" link set "$2" up
    ip netns exec "$1" python3 scripts/impaired-peers.py offloads "$2"
  done
}

# [SYSCTLS=".."] [TAIL=s] run NAME "SCENARIO [N] [v6]" RULES CAPTURE_SIDE...: the scenario's
# connections through the bridge with RULES (impaired-bridge.py), with the sysctls set at both
# ends, captured on the client's veth (c) and/or the server's (s) into NAME-client.pcap /
# NAME-server.pcap; TAIL seconds after the client ends (1.5) for the last FINs and retransmissions.
run() {
  local name=$1 scenario=$2 rules=$3; shift 3
  wanted "$name" || return 0
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
  ip netns exec $C python3 scripts/impaired-peers.py client $scenario
  sleep "${TAIL:-1.5}" # the last FINs, retransmissions and keep-alives
  kill -INT "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  for side in "$@"; do
    local file="$out/$name-$([ "$side" = s ] && echo server || echo client).pcap"
    cp "$work/$(basename "$file")" "$file"
    written+=("$file")
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
if wanted clean; then
  run clean download '[]' c
  python3 scripts/impaired-cut.py "$out/clean-client.pcap" "$out/capture-loss.pcap" data:5001:6 ack:5001:3,8
  rm "$out/clean-client.pcap"
  written=("${written[@]/%clean-client.pcap/capture-loss.pcap}")
fi

# From here on the rules draw at random (seeded) among every connection's segments.
# 30 request/response connections at once losing SYNs, SYN/ACKs, data and FINs; seen from the
# client, and both ends' captures merged into one file (most packets twice, a hop apart).
if wanted short-loss; then
  run short-loss "short 30" '{"seed": 14, "delay_ms": {"c2s": 2, "s2c": 2}, "rules": [
    {"dir": "any", "kind": "syn", "action": "drop", "p": 0.3},
    {"dir": "any", "kind": "synack", "action": "drop", "p": 0.2},
    {"dir": "any", "kind": "fin", "action": "drop", "p": 0.1},
    {"dir": "any", "kind": "data", "action": "drop", "p": 0.05}
  ]}' c s
  mergecap -F pcap -w "$out/short-loss-merged.pcap" "$out/short-loss-client.pcap" "$out/short-loss-server.pcap"
  rm "$out/short-loss-server.pcap"
  unset 'written[-1]'
  written+=("$out/short-loss-merged.pcap")
fi
# Aborts by either end, a reset for unread data, a closed port; resets lost or duplicated.
run resets "resets 6" '{"seed": 18, "delay_ms": {"c2s": 1, "s2c": 1}, "rules": [
  {"dir": "any", "kind": "rst", "action": "drop", "p": 0.2},
  {"dir": "any", "kind": "rst", "action": "dup", "ms": 5, "p": 0.2},
  {"dir": "any", "kind": "syn", "action": "drop", "p": 0.15},
  {"dir": "any", "kind": "data", "action": "drop", "p": 0.05}
]}' c
# SYNs nobody answers (every one to 5008 dropped), beside connections losing SYN/ACKs and ACKs.
TAIL=5 run blackhole "blackhole 5" '{"seed": 31, "delay_ms": {"c2s": 1, "s2c": 1}, "rules": [
  {"kind": "syn", "port": 5008, "action": "drop", "p": 1},
  {"dir": "s2c", "kind": "synack", "action": "drop", "p": 0.6},
  {"kind": "ack", "port": 5005, "action": "drop", "p": 0.2}
]}' c
# One source port for ten connections in a row, each reset by the client; lost resets leave
# the server holding the old connection when the next SYN comes.
run reuse-port "reuse 10" '{"seed": 51, "delay_ms": {"c2s": 2, "s2c": 2}, "rules": [
  {"dir": "any", "kind": "syn", "action": "drop", "p": 0.2},
  {"dir": "any", "kind": "synack", "action": "drop", "p": 0.2},
  {"dir": "any", "kind": "rst", "action": "drop", "p": 0.5},
  {"dir": "any", "kind": "data", "action": "drop", "p": 0.04}
]}' c
# TCP Fast Open: a cookie, then requests on the SYN; SYNs and SYN/ACKs lost.
SYSCTLS=net.ipv4.tcp_fastopen=3 run tfo "tfo 8" '{"seed": 52, "delay_ms": {"c2s": 2, "s2c": 2}, "rules": [
  {"dir": "any", "kind": "syn", "action": "drop", "p": 0.2},
  {"dir": "any", "kind": "synack", "action": "drop", "p": 0.2},
  {"dir": "any", "kind": "data", "action": "drop", "p": 0.04}
]}' s
# IPv6 without SACK or timestamps: a mixed workload, handshakes and FINs duplicated, jitter.
SYSCTLS="net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0" run v6-mix "mix 2 v6" '{"seed": 21, "delay_ms": {"c2s": 4, "s2c": 4}, "jitter_ms": {"s2c": 6}, "rules": [
  {"dir": "any", "kind": "syn", "action": "dup", "ms": 2, "p": 0.2},
  {"dir": "any", "kind": "synack", "action": "dup", "ms": 2, "p": 0.2},
  {"dir": "any", "kind": "fin", "action": "dup", "ms": 3, "p": 0.3},
  {"dir": "any", "kind": "data", "action": "drop", "p": 0.03}
]}' c
# Bulk both ways with neither SACK nor window scaling, data and ACKs lost.
SYSCTLS="net.ipv4.tcp_sack=0 net.ipv4.tcp_window_scaling=0" run bulk-nosack bulk '{"seed": 12, "delay_ms": {"c2s": 3, "s2c": 3}, "rules": [
  {"dir": "any", "kind": "data", "action": "drop", "p": 0.02},
  {"dir": "any", "kind": "ack", "action": "drop", "p": 0.01}
]}' s
# Everything at once: any segment lost, duplicated or reordered, jitter both ways.
TAIL=4 run heavy-mix "mix 2" '{"seed": 61, "delay_ms": {"c2s": 3, "s2c": 3}, "jitter_ms": {"c2s": 4, "s2c": 4}, "rules": [
  {"dir": "any", "kind": "any", "action": "drop", "p": 0.12},
  {"dir": "any", "kind": "any", "action": "dup", "ms": 2, "p": 0.05},
  {"dir": "any", "kind": "any", "action": "reorder", "p": 0.05}
]}' s

[ ${#written[@]} -gt 0 ] || { echo "record-impaired.sh: no run named$only" >&2; exit 2; }
for f in "${written[@]}"; do python3 "$oracle" --out-dir "$work" "$f" >/dev/null; cp "$work/$(basename "$f").json" "$f.analysis.json"; done
ls -l "${written[@]}"
