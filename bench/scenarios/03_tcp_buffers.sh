#!/bin/bash
# Scenario 3: TCP between two network namespaces over veth, the receiving
# namespace with tiny tcp_rmem/tcp_wmem maxima. Objective: iperf3 throughput.
source "$(dirname "$0")/common.sh"

A=kp-s3-cli B=kp-s3-srv
ip netns add $A; cleanup "ip netns del $A"
ip netns add $B; cleanup "ip netns del $B"
ip link add kps3a netns $A type veth peer name kps3b netns $B
ip -n $A addr add 10.213.3.1/24 dev kps3a; ip -n $A link set kps3a up; ip -n $A link set lo up
ip -n $B addr add 10.213.3.2/24 dev kps3b; ip -n $B link set kps3b up; ip -n $B link set lo up
TINY="4096 4096 4096"
ip netns exec $B sysctl -qw net.ipv4.tcp_rmem="$TINY" net.ipv4.tcp_wmem="$TINY"

ip netns exec $B iperf3 -s -p 5201 -D; ip netns exec $B iperf3 -s -p 5202 -D
cleanup "ip netns pids $B | xargs -r kill"

# gbps SECONDS: one iperf3 run on the measurement port, Gbit/s received.
gbps() {
  ip netns exec $A iperf3 -c 10.213.3.2 -p 5202 -t "$1" -J |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}

before=$(for i in 1 2 3; do gbps 3; done | median)
echo "before: $before Gbit/s with tcp_rmem/wmem \"$TINY\""

# Background traffic for kpulse to see: short connections, as a service would open.
( while true; do ip netns exec $A iperf3 -c 10.213.3.2 -p 5201 -t 3 >/dev/null 2>&1 || sleep 1; done ) &
LOAD=$!
cleanup "kill $LOAD 2>/dev/null"
start_tune --interval 1 --window 4 --tuners tcp_buffers --scope "netns:$(stat -L -c %i /var/run/netns/$B)"
wait_for_kept 60 || { show_log; echo "kpulse kept nothing" >&2; exit 1; }
kill $LOAD; wait $LOAD 2>/dev/null || true; sleep 1
tuned=$(ip netns exec $B sysctl -n net.ipv4.tcp_rmem)
after=$(for i in 1 2 3; do gbps 3; done | median)
echo "after: $after Gbit/s with tcp_rmem \"$tuned\" wmem \"$(ip netns exec $B sysctl -n net.ipv4.tcp_wmem)\""
stop_tune
show_log
r=$(ip netns exec $B sysctl -n net.ipv4.tcp_rmem | tr -s '\t ' ' '); w=$(ip netns exec $B sysctl -n net.ipv4.tcp_wmem | tr -s '\t ' ' ')
echo "restored: tcp_rmem \"$r\" tcp_wmem \"$w\""
[ "$r" = "$TINY" ] && [ "$w" = "$TINY" ] || { echo "buffers not restored" >&2; exit 1; }
report tcp_buffers "Gbit/s" "$before" "$after"
