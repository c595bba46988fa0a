#!/bin/bash
# Scenario 1: a listener in its own network namespace with a tiny somaxconn,
# flooded with bursts of connections while it re-listens every 3 s (a service
# that reloads). Objectives: connect p99 latency and failed connections.
source "$(dirname "$0")/common.sh"
LIB=$(cd "$(dirname "$0")/lib" && pwd)

C=kp-s1-cli S=kp-s1-srv
ip netns add $C; cleanup "ip netns del $C"
ip netns add $S; cleanup "ip netns del $S"
ip link add kps1c netns $C type veth peer name kps1s netns $S
ip -n $C addr add 10.213.1.1/24 dev kps1c; ip -n $C link set kps1c up; ip -n $C link set lo up
ip -n $S addr add 10.213.1.2/24 dev kps1s; ip -n $S link set kps1s up; ip -n $S link set lo up
ip netns exec $S sysctl -qw net.core.somaxconn=16
# Enough client ports for the bursts.
ip netns exec $C sysctl -qw net.ipv4.ip_local_port_range="10000 60999"

ip netns exec $S python3 "$LIB/relisten_server.py" 10.213.1.2 8080 3 &
SRV=$!
cleanup "kill $SRV"
sleep 1

flood() { ip netns exec $C python3 "$LIB/connect_flood.py" 10.213.1.2 8080 "$1" 300; }

read -r p99_b failed_b total_b <<<"$(flood 10)"
echo "before: connect p99 ${p99_b} ms, ${failed_b}/${total_b} failed, somaxconn=$(ip netns exec $S sysctl -n net.core.somaxconn)"

( while true; do flood 5 >/dev/null; done ) &
LOAD=$!
cleanup "kill $LOAD 2>/dev/null"
start_tune --interval 1 --window 5 --tuners somaxconn --scope "netns:$(stat -L -c %i /var/run/netns/$S)"
wait_for_kept 90 || { show_log; echo "kpulse kept nothing" >&2; exit 1; }
kill $LOAD; wait $LOAD 2>/dev/null || true; sleep 4   # one re-listen with the new value
read -r p99_a failed_a total_a <<<"$(flood 10)"
echo "after: connect p99 ${p99_a} ms, ${failed_a}/${total_a} failed, somaxconn=$(ip netns exec $S sysctl -n net.core.somaxconn)"
stop_tune
show_log
echo "restored somaxconn: $(ip netns exec $S sysctl -n net.core.somaxconn)"
[ "$(ip netns exec $S sysctl -n net.core.somaxconn)" = 16 ] || { echo "somaxconn not restored" >&2; exit 1; }
report somaxconn_p99 ms "$p99_b" "$p99_a"
echo "RESULT somaxconn_failed: before ${failed_b}/${total_b}, after ${failed_a}/${total_a} connections failed"
