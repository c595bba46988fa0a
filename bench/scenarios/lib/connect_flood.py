#!/usr/bin/env python3
"""Opens bursts of concurrent TCP connections and reports connect latency:
prints "p99_ms failed total" for the run."""
import selectors
import socket
import sys
import time

addr, port = sys.argv[1], int(sys.argv[2])
duration = float(sys.argv[3])
burst = int(sys.argv[4]) if len(sys.argv) > 4 else 300
timeout = 3.0
gap = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0  # seconds between bursts

lat, failed, total = [], 0, 0
end = time.monotonic() + duration
while time.monotonic() < end:
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    for _ in range(burst):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((addr, port))
        sel.register(s, selectors.EVENT_WRITE)
    pending = burst
    while pending and time.monotonic() - start < timeout:
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                lat.append(time.monotonic() - start)
            else:
                failed += 1
            s.close()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    failed += pending
    total += burst
    sel.close()
    time.sleep(gap)
lat.sort()
p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan")
print(f"{p99:.1f} {failed} {total}")
