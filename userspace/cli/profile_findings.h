// The recorded CPU profile (record/stack_log.h) beside the analysis of a
// recording: which function each busy cgroup spent its CPU in over the
// period, and, for each CPU alert, in its cause during the incident.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/alert.h"
#include "profile/hot_functions.h"
#include "report/report_input.h"

namespace kpulse::cli {

// A CPU alert whose cause is a cgroup, over its incident.
struct CpuIncident {
  std::string alert;   // the alert's id or summary, as shown
  std::string cgroup;  // the cause's cgroup path
  int64_t from_ns = 0, to_ns = 0;
};
// The CPU alerts with a cgroup cause; an unresolved one runs to `end_ns`.
std::vector<CpuIncident> cpu_incidents(const std::vector<analytics::Alert>& alerts, int64_t end_ns);
// The same from a report's findings (those from analytics, with a cause).
std::vector<CpuIncident> cpu_incidents(const std::vector<report::Finding>& findings,
                                       int64_t end_ns);

struct AlertProfile {
  std::string alert;
  int64_t from_ns = 0, to_ns = 0;  // the incident: opened to resolved (or the period's end)
  profile::HotFunction hot;
  std::vector<profile::StackSample> stacks;  // the cause's busiest stacks then
};

struct ProfileFindings {
  // Where the stacks come from: "recorded stacks" (the daemon's stack log)
  // or "sampled during this run" (live analyze --profile).
  std::string source = "recorded stacks";
  size_t windows = 0;  // profiling windows found in the period (0: no profile recorded)
  std::vector<profile::HotFunction> cgroups;  // busiest first
  std::vector<AlertProfile> alerts;
};

ProfileFindings profile_findings(const std::filesystem::path& recording_dir, int64_t from_ns,
                                 int64_t to_ns, const std::vector<CpuIncident>& incidents);

// The same from a profile sampled live over the whole run: each incident's
// cause is judged over the run (its samples are not timed finer).
ProfileFindings profile_findings(const profile::Profile& run,
                                 const std::vector<CpuIncident>& incidents);

void print_profile_findings(std::ostream& out, const ProfileFindings& f);
nlohmann::json profile_findings_json(const ProfileFindings& f);
// Report rows: one per busy cgroup, then each CPU alert's cause and its stacks.
std::vector<report::Note> profile_notes(const ProfileFindings& f);

}  // namespace kpulse::cli
