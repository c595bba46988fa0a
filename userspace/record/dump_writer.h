// `kpulse dump` output formats, kept out of the CLI so they are testable.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "model/snapshot.h"

namespace kpulse::record {

// "2026-11-24T12:00:00.123456789Z" (nanoseconds always shown): how dump
// prints a time, in a form `--at`/`--from` (cli/time_arg.h) read back.
std::string format_time_ns(int64_t time_ns);

// A value as dump prints it: the shortest decimal within 1e-12 (relative)
// of `v`, so arithmetic noise (0.30000000000000004) prints as 0.3.
std::string dump_number(double v);
// The same value as a double: the shortest decimal within 1e-12 of `v`, so a
// shortest round-trip printer (JSON) prints it short too.
double without_noise(double v);

// CSV header: time,component_kind,component_id,metric,value,delta
void write_csv_header(std::ostream& out);
// One row per sample: plain samples, labeled samples as "metric{label}",
// histograms as "metric.count" and "metric.sum_ns" (cumulative value,
// interval delta).
void write_csv_rows(std::ostream& out, const model::Snapshot& s);
// One line: the snapshot's documented JSON (model/snapshot_json.h), floats
// without their rounding noise.
void write_json_line(std::ostream& out, const model::Snapshot& s);

}  // namespace kpulse::record
