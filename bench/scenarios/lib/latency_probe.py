#!/usr/bin/env python3
"""A latency-sensitive service in miniature: wakes every PERIOD_MS, does
WORK_MS of CPU work, and measures how late each wakeup ran (the scheduler's
delay, not the work). Prints "p50_ms p99_ms wakeups" after SECONDS."""
import sys
import time


def main():
    seconds = float(sys.argv[1])
    period = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.002
    work = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0002
    late = []
    end = time.monotonic() + seconds
    while True:
        target = time.monotonic() + period
        if target > end:
            break
        time.sleep(period)
        late.append(max(0.0, time.monotonic() - target))
        spin = time.thread_time() + work
        while time.thread_time() < spin:
            pass
    late.sort()
    q = lambda p: late[min(len(late) - 1, int(p * len(late)))] * 1000
    print(f"{q(0.50):.3f} {q(0.99):.3f} {len(late)}")


if __name__ == "__main__":
    main()
