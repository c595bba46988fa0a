#!/usr/bin/env python3
"""Coverage of `kpulse forecast` from short histories.

The 7-day benchmark (forecast_eval) starts from 336 values or more; this one
cuts windows of the last L values before about 60 origins per series and
forecasts 12 steps from each, through `kpulse forecast`. It prints, per L, how
often the next values fell inside the 80 % and 95 % intervals (an honest
forecaster covers about 0.80 and 0.95), the mean absolute error and the mean
95 % width, both over the series' mean |value|.

usage: bench/forecast/short_history_coverage.py KPULSE 'GLOB' [L,L,...]
  e.g. bench/forecast/short_history_coverage.py build/userspace/kpulse \\
         '../shared/data/forecast/data/*.csv' 3,5,10,20,40
"""
import csv
import glob
import subprocess
import sys

HORIZON = 12


def forecast(kpulse, rows):
    text = "timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in rows)
    p = subprocess.run([kpulse, "forecast", "--horizon", str(HORIZON)], input=text,
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return None
    return [list(map(float, line.split())) for line in p.stdout.strip().split("\n")]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kpulse, pattern = sys.argv[1], sys.argv[2]
    lengths = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "3,5,10,20,40").split(",")]
    totals = {}
    for path in sorted(glob.glob(pattern)):
        with open(path, newline="") as f:
            rows = [(r[0], float(r[1])) for r in list(csv.reader(f))[1:]]
        scale = sum(abs(v) for _, v in rows) / len(rows)
        for length in lengths:
            t = totals.setdefault(length, [0, 0, 0, 0.0, 0.0])
            for origin in range(length, len(rows) - HORIZON, max(1, len(rows) // 60)):
                out = forecast(kpulse, rows[origin - length:origin])
                if out is None:
                    continue
                for h in range(HORIZON):
                    y = rows[origin + h][1]
                    point, lo80, hi80, lo95, hi95 = out[h]
                    t[0] += lo80 <= y <= hi80
                    t[1] += lo95 <= y <= hi95
                    t[2] += 1
                    t[3] += abs(y - point) / scale
                    t[4] += (hi95 - lo95) / scale
    for length, (c80, c95, n, err, width) in sorted(totals.items()):
        print(f"L={length:3d} n={n:5d} cover80={c80 / n:.3f} cover95={c95 / n:.3f} "
              f"MAE/mean|y|={err / n:.3f} width95/mean|y|={width / n:.2f}")


if __name__ == "__main__":
    main()
