#!/bin/bash
# Scenario 4: sequential buffered reads from a loop device with read_ahead_kb=0.
# Objective: fio read throughput (MiB/s); the device's page cache is invalidated
# before every pass (--loops with --invalidate) so every byte comes from the device.
source "$(dirname "$0")/common.sh"

IMG=$(mktemp /var/tmp/kpulse-s4.XXXXXX.img)
cleanup "rm -f $IMG"
dd if=/dev/urandom of="$IMG" bs=1M count=256 status=none
DEV=$(losetup --find --show --direct-io=on "$IMG")
cleanup "losetup -d $DEV"
NAME=$(basename "$DEV")
RA=/sys/block/$NAME/queue/read_ahead_kb
echo 0 > $RA

mibps() {
  fio --name=seq --filename="$DEV" --rw=read --bs=4k --direct=0 --ioengine=psync \
      --size=256M --loops=100000 --runtime="$1" --invalidate=1 --output-format=json 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw"]/1024)'
}

before=$(for i in 1 2 3; do mibps 5; done | median)
echo "before: $before MiB/s with read_ahead_kb=$(cat $RA)"

# Readahead is copied into a file's state when it is opened: the load reopens
# the device every few seconds, as a service reading new files would.
( while true; do mibps 4 >/dev/null; done ) &
LOAD=$!
cleanup "kill $LOAD 2>/dev/null; sleep 1"
start_tune --interval 1 --window 4 --tuners read_ahead --scope "@$NAME"
wait_for_kept 60 || { show_log; echo "kpulse kept nothing" >&2; exit 1; }
kill $LOAD; wait $LOAD 2>/dev/null || true; sleep 1
tuned=$(cat $RA)
after=$(for i in 1 2 3; do mibps 5; done | median)
echo "after: $after MiB/s with read_ahead_kb=$tuned"
stop_tune
show_log
echo "restored read_ahead_kb: $(cat $RA)"
[ "$(cat $RA)" = 0 ] || { echo "read_ahead_kb not restored" >&2; exit 1; }
report read_ahead "MiB/s" "$before" "$after"
