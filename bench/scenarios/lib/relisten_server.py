#!/usr/bin/env python3
"""A TCP server that accepts at a bounded rate and re-listens every few
seconds, as a service that reloads would: its backlog is re-read from
somaxconn at each listen()."""
import socket
import sys
import time

addr, port = sys.argv[1], int(sys.argv[2])
relisten_s = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
accept_per_s = float(sys.argv[4]) if len(sys.argv) > 4 else 2000.0


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((addr, port))
    s.listen(65535)  # the kernel caps it at somaxconn
    s.settimeout(0.05)
    return s


srv = listen()
since = time.monotonic()
while True:
    if time.monotonic() - since > relisten_s:
        # Open the new socket before closing the old one (SO_REUSEPORT), as
        # graceful reloads do, so the port never refuses connections.
        new = listen()
        srv.close()
        srv, since = new, time.monotonic()
    try:
        c, _ = srv.accept()
        c.close()
    except (socket.timeout, OSError):
        continue
    time.sleep(1.0 / accept_per_s)
