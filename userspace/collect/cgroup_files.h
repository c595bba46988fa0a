// Parsers of the cgroup files CgroupStatsReader reads (v2 and v1): each
// turns one file's text into catalog samples on the cgroup's component. No
// I/O: the reader fetches the text (kept descriptors, due periods) and hands
// it here; a line that does not parse is reported to `problems` against
// `file` and skipped.
#pragma once

#include <string>
#include <string_view>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// cgroup2 cpu.stat: usage, periods, throttled periods and time.
void parse_cpu_stat_v2(std::string_view text, const std::string& file, model::Component& out,
                       Problems* problems);
// v1 cpu.stat: periods, throttled periods and time.
void parse_cpu_stat_v1(std::string_view text, const std::string& file, model::Component& out,
                       Problems* problems);
// memory.events (v2) or memory.oom_control (v1): the "oom_kill" count.
void parse_oom_kills(std::string_view text, const std::string& file, model::Component& out,
                     Problems* problems);
// memory.stat (`prefix` "" on v2, "total_" on v1): page-cache refaults.
void parse_refaults(std::string_view text, const std::string& file, std::string_view prefix,
                    model::Component& out, Problems* problems);
// io.stat: read and written bytes summed over the devices.
void parse_io_stat(std::string_view text, const std::string& file, model::Component& out,
                   Problems* problems);
// v1 blkio.throttle.io_service_bytes: read and written bytes over the devices.
void parse_blkio_service_bytes(std::string_view text, const std::string& file,
                               model::Component& out, Problems* problems);
// cpu.max: "<quota|max> <period>" as a CPU count; "max" leaves it absent.
void parse_cpu_max(std::string_view text, const std::string& file, model::Component& out,
                   Problems* problems);
// memory.min/low/high/max: a number or "max"; "max" (and, when
// `absent_when_zero`, 0) leave the metric absent.
void parse_memory_limit(std::string_view text, const std::string& file, model::MetricId id,
                        bool absent_when_zero, model::Component& out, Problems* problems);

}  // namespace kpulse::collect
