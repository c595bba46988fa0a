#include "cli/profile_findings.h"

#include <cmath>

#include <fmt/format.h>

#include "profile/profile_formats.h"
#include "record/stack_log.h"

namespace kpulse::cli {
namespace {

constexpr size_t kCgroups = 5;
constexpr size_t kStacksPerAlert = 5;
constexpr std::string_view kCgroupKey = "cgroup:";

nlohmann::json hot_json(const profile::HotFunction& h) {
  return {{"cgroup", h.cgroup},
          {"function", h.function},
          {"module", h.module},
          {"samples", h.samples},
          {"cgroup_samples", h.cgroup_samples},
          {"share", h.share()},
          {"summary", profile::describe(h)}};
}

std::string share_text(uint64_t n, uint64_t of) {
  return fmt::format("{:.0f}%", of ? std::round(100.0 * static_cast<double>(n) / of) : 0.0);
}

}  // namespace

std::vector<CpuIncident> cpu_incidents(const std::vector<analytics::Alert>& alerts,
                                       int64_t end_ns) {
  std::vector<CpuIncident> out;
  for (const auto& a : alerts)
    if (a.resource == analytics::Resource::Cpu && a.cause.starts_with(kCgroupKey))
      out.push_back({a.id, a.cause.substr(kCgroupKey.size()), a.start_ns,
                     a.resolved_ns ? a.resolved_ns : end_ns});
  return out;
}

std::vector<CpuIncident> cpu_incidents(const std::vector<report::Finding>& findings,
                                       int64_t end_ns) {
  std::vector<CpuIncident> out;
  for (const auto& f : findings)
    if (f.resource == "cpu" && f.cause.starts_with(kCgroupKey))
      out.push_back(
          {f.message, f.cause.substr(kCgroupKey.size()), f.start_ns, f.end_ns ? f.end_ns : end_ns});
  return out;
}

namespace {

// The cause's subtree as one cgroup: an alert names the cgroup whose CPU
// use stood out, and its processes often run in cgroups below it (a
// service's workers, a container's own hierarchy).
record::RecordedProfile within(const record::RecordedProfile& p, const std::string& cgroup) {
  const auto inside = [&cgroup](const std::string& c) {
    return cgroup == "/" || c == cgroup || c.starts_with(cgroup + "/");
  };
  record::RecordedProfile out;
  out.windows = p.windows;
  out.profile.event = p.profile.event;
  out.profile.frequency_hz = p.profile.frequency_hz;
  out.profile.duration_s = p.profile.duration_s;
  for (const auto& s : p.profile.samples)
    if (inside(s.cgroup)) {
      out.profile.samples.push_back(s);
      out.profile.samples.back().cgroup = cgroup;
    }
  for (const auto& [c, n] : p.cgroup_samples)
    if (inside(c)) out.cgroup_samples[cgroup] += n;
  return out;
}

// The incident's cause in `stacks` (the incident's own, or the run's), if
// it has samples there.
void add_alert(ProfileFindings& f, const CpuIncident& incident,
               const record::RecordedProfile& stacks) {
  AlertProfile ap;
  ap.alert = incident.alert;
  ap.from_ns = incident.from_ns;
  ap.to_ns = incident.to_ns;
  const record::RecordedProfile during = within(stacks, incident.cgroup);
  for (const auto& h : profile::hot_functions(during.profile, SIZE_MAX, &during.cgroup_samples))
    if (h.cgroup == incident.cgroup) ap.hot = h;
  if (ap.hot.samples == 0) return;
  ap.stacks = profile::top_stacks(during.profile, incident.cgroup, kStacksPerAlert);
  f.alerts.push_back(std::move(ap));
}

}  // namespace

ProfileFindings profile_findings(const std::filesystem::path& recording_dir, int64_t from_ns,
                                 int64_t to_ns, const std::vector<CpuIncident>& incidents) {
  ProfileFindings f;
  const record::RecordedProfile period = record::read_stack_log(recording_dir, from_ns, to_ns);
  f.windows = period.windows;
  if (f.windows == 0) return f;
  f.cgroups = profile::hot_functions(period.profile, kCgroups, &period.cgroup_samples);
  for (const auto& incident : incidents)
    add_alert(f, incident, record::read_stack_log(recording_dir, incident.from_ns, incident.to_ns));
  return f;
}

ProfileFindings profile_findings(const profile::Profile& run,
                                 const std::vector<CpuIncident>& incidents) {
  ProfileFindings f;
  f.source = "sampled during this run";
  record::RecordedProfile stacks;
  stacks.windows = 1;
  stacks.profile = run;
  f.windows = 1;
  f.cgroups = profile::hot_functions(run, kCgroups);
  for (const auto& incident : incidents) add_alert(f, incident, stacks);
  return f;
}

void print_profile_findings(std::ostream& out, const ProfileFindings& f) {
  out << "\nCPU profile (" << f.source << "):\n";
  if (f.windows == 0) {
    out << "  none in this period (enable [profile] in the daemon's configuration)\n";
    return;
  }
  for (const auto& h : f.cgroups) out << "  " << profile::describe(h) << "\n";
  for (const auto& a : f.alerts) {
    out << "  alert " << a.alert << ": " << profile::describe(a.hot) << "\n";
    for (const auto& s : a.stacks)
      out << "    " << share_text(s.count, a.hot.cgroup_samples) << "  " << profile::folded_stack(s)
          << "\n";
  }
}

nlohmann::json profile_findings_json(const ProfileFindings& f) {
  nlohmann::json j = {{"source", f.source},
                      {"windows", f.windows},
                      {"cgroups", nlohmann::json::array()},
                      {"alerts", nlohmann::json::array()}};
  for (const auto& h : f.cgroups) j["cgroups"].push_back(hot_json(h));
  for (const auto& a : f.alerts) {
    nlohmann::json stacks = nlohmann::json::array();
    for (const auto& s : a.stacks)
      stacks.push_back({{"stack", profile::folded_stack(s)}, {"samples", s.count}});
    j["alerts"].push_back({{"alert", a.alert},
                           {"from_ns", a.from_ns},
                           {"to_ns", a.to_ns},
                           {"hot", hot_json(a.hot)},
                           {"stacks", stacks}});
  }
  return j;
}

std::vector<report::Note> profile_notes(const ProfileFindings& f) {
  std::vector<report::Note> notes;
  for (const auto& h : f.cgroups) notes.push_back({0, "busiest cgroup", profile::describe(h)});
  for (const auto& a : f.alerts) {
    notes.push_back({a.from_ns, "alert " + a.alert, profile::describe(a.hot)});
    for (const auto& s : a.stacks)
      notes.push_back({0, share_text(s.count, a.hot.cgroup_samples), profile::folded_stack(s)});
  }
  return notes;
}

}  // namespace kpulse::cli
