#!/usr/bin/env python3
"""Builds a NAB-layout corpus of real series with injected, labelled anomalies.

A second held-out check of the anomaly detector beside the leave-one-category-
out cross-validation on ../shared/data/nab: the detector was never tuned on
these series (../shared/data/forecast: Google cluster CPU and memory at 5 min,
Microsoft purchase counts per hour, with their real daily and weekly cycles,
heavy tails, zeros and integer values). Each output file is one source series
with two anomalies of kinds a host metric shows (a spike, a level shift, a
stalled reading, a missing daily peak, a burst of noise, a slow drift), placed
at random after NAB's probationary 15%. Windows follow NAB's rule: 10% of the
file's rows split evenly between its anomalies, centred on each onset.

The score it gives is only as good as the injected anomalies are realistic;
the series' own unlabelled oddities count as false positives, as in NAB.

    bench/nab/make_injected_corpus.py ../shared/data/forecast/data OUT_DIR
    build/bench/nab/kpulse_nab --data OUT_DIR

With --traits (a third argument) it builds a second corpus instead: the same
sources first given a trait that real host series (and NAB's realKnownCause,
realTraffic, realAdExchange, realTweets) have more of than these sources --
sparse counts (mostly zeros), a heavy-tailed level with heavy-tailed noise, a
short file, clock steps (repeated times and an hour stepped back) -- then
injected the same way (its own random seed, so the first corpus is unchanged).

--seed N draws a fresh corpus (other anomalies, places and trait noise from the
same sources) for a check nobody has looked at yet; without it the seeds are
20 (injected) and 21 (--traits), the corpora of BENCHMARKS "Issue 20 (20i)".
"""
import argparse
import csv
import json
import math
import os
import random
import statistics

KINDS = ["spike", "shift", "stall", "missing_peak", "noise_burst", "drift"]
VARIANTS_PER_SOURCE = 5
TRAITS = ["sparse", "heavy", "short", "clock"]
TRAIT_VARIANTS = 3
SHORT_ROWS = 1600  # realAdExchange's files are ~1,600 rows


def read_series(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return [(r[0], float(r[1])) for r in rows[1:] if r]


def robust_scale(values):
    diffs = [abs(b - a) for a, b in zip(values, values[1:])]
    mad = statistics.median(diffs) if diffs else 0.0
    spread = statistics.pstdev(values) if len(values) > 1 else 0.0
    return max(mad * 1.4826, 0.05 * spread, 1e-9)


def inject(values, kind, at, length, rng, steps_per_day, integer):
    v = list(values)
    scale = robust_scale(values)
    spread = statistics.pstdev(values)
    level = statistics.median(values)
    end = min(len(v), at + length)
    if kind == "spike":
        v[at] = max(values) + rng.uniform(1.0, 3.0) * spread
    elif kind == "shift":
        delta = rng.choice([-1, 1]) * rng.uniform(1.0, 2.0) * spread
        if delta < 0 and min(values) >= 0:
            delta = max(delta, -0.8 * level)
        for i in range(at, len(v)):
            v[i] += delta
    elif kind == "stall":
        for i in range(at, end):
            v[i] = v[at]
    elif kind == "missing_peak":
        # One day's rhythm flattened to its own mean: every value ordinary.
        day_end = min(len(v), at + steps_per_day)
        mean = statistics.fmean(v[at:day_end])
        for i in range(at, day_end):
            v[i] = mean + 0.2 * (v[i] - mean)
    elif kind == "noise_burst":
        for i in range(at, end):
            v[i] += rng.gauss(0.0, 6.0 * scale)
    elif kind == "drift":
        for i in range(at, len(v)):
            v[i] += min(1.0, (i - at) / max(1, length)) * 1.5 * spread
    if min(values) >= 0:
        v = [max(0.0, x) for x in v]
    if integer:
        v = [float(round(x)) for x in v]
    return v


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def with_trait(trait, times, values, rng):
    """The series given one trait; returns (times, values, integer)."""
    if trait == "sparse":
        # Counts of what exceeds the 70th percentile: ~70% zeros, small integers.
        q, top = quantile(values, 0.7), quantile(values, 0.99)
        unit = max((top - q) / 6.0, 1e-9)
        return times, [float(max(0, round((x - q) / unit))) for x in values], True
    if trait == "heavy":
        # A log-normal level times Pareto noise (alpha 2.5): latency-like, with
        # unlabelled spikes that are no anomaly.
        mean, sd = statistics.fmean(values), statistics.pstdev(values) or 1.0
        return times, [100.0 * math.exp((x - mean) / sd) * rng.paretovariate(2.5) for x in values], False
    if trait == "short":
        return times[:SHORT_ROWS], values[:SHORT_ROWS], all(x == int(x) for x in values)
    # clock: a few repeated times and one step back by most of an hour (not a
    # whole number of steps, so no time names two rows a window could start at).
    t = [int(x) for x in times]
    for i in rng.sample(range(1, len(t)), 5):
        t[i] = t[i - 1]
    back = rng.randrange(len(t) // 4, 3 * len(t) // 4)
    t = t[:back] + [x - 3563 for x in t[back:]]
    return [str(x) for x in t], values, all(x == int(x) for x in values)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", help="folder of source series (../shared/data/forecast/data)")
    parser.add_argument("out", help="output folder (NAB layout)")
    parser.add_argument("--traits", action="store_true", help="build the traits corpus")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default 20, or 21 with --traits)")
    return parser.parse_args()


def main():
    args = parse_args()
    src, out, traits = args.src, args.out, args.traits
    rng = random.Random(args.seed if args.seed is not None else (21 if traits else 20))
    windows = {}
    jobs = []
    for name in sorted(os.listdir(src)):
        if not name.endswith(".csv"):
            continue
        rows = read_series(os.path.join(src, name))
        times = [r[0] for r in rows]
        values = [r[1] for r in rows]
        if not traits:
            integer = all(x == int(x) for x in values)
            jobs.append(("injected_" + name.split("_")[0], name[:-4], times, values, integer,
                         VARIANTS_PER_SOURCE))
            continue
        for trait in TRAITS:
            t, v, integer = with_trait(trait, times, values, rng)
            jobs.append(("traits_" + trait, name[:-4], t, v, integer, TRAIT_VARIANTS))
    for category, stem, times, values, integer, variants in jobs:
        n = len(values)
        step = int(times[1]) - int(times[0]) or int(times[2]) - int(times[1])
        steps_per_day = max(1, 86400 // step)
        os.makedirs(os.path.join(out, "data", category), exist_ok=True)
        for variant in range(variants):
            kinds = rng.sample(KINDS, 2)
            probation = min(int(0.15 * n), 750)
            width = max(2, int(0.10 * n / 2))
            # Two onsets, far enough apart that the windows do not merge.
            while True:
                onsets = sorted(rng.randrange(probation + width, n - width) for _ in kinds)
                if onsets[1] - onsets[0] > 2 * width:
                    break
            v = values
            for kind, at in zip(kinds, onsets):
                v = inject(v, kind, at, max(steps_per_day // 4, 6), rng, steps_per_day, integer)
            fname = f"{stem}_{variant}_{kinds[0]}_{kinds[1]}.csv"
            key = f"{category}/{fname}"
            with open(os.path.join(out, "data", category, fname), "w") as f:
                f.write("timestamp,value\n")
                for t, x in zip(times, v):
                    f.write(f"{t},{x:.10g}\n")
            windows[key] = [
                [times[max(0, at - width // 2)], times[min(n - 1, at + width // 2)]] for at in onsets
            ]
    os.makedirs(os.path.join(out, "labels"), exist_ok=True)
    with open(os.path.join(out, "labels", "combined_windows.json"), "w") as f:
        json.dump(windows, f, indent=1)
    os.makedirs(os.path.join(out, "config"), exist_ok=True)
    # NAB's three scoring profiles (config/profiles.json of NAB v1.1).
    profiles = {
        "standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11}},
        "reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22}},
        "reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11}},
    }
    with open(os.path.join(out, "config", "profiles.json"), "w") as f:
        json.dump(profiles, f, indent=1)


if __name__ == "__main__":
    main()
