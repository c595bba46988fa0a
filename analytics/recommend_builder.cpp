// Builder and the helpers the recommendation rules share.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "analytics/recommend_rules.h"
#include "model/format.h"

namespace kpulse::analytics::rules {
namespace {

std::string evidence_text(const Bottleneck& b) {
  std::string out;
  for (const auto& e : b.evidence) {
    if (!out.empty()) out += "; ";
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", e.score);
    out += e.component + " " + e.signal + "=" + model::format(e.value, e.unit) + " (baseline " +
           model::format(e.baseline, e.unit) + ", limit " + model::format(e.limit, e.unit) +
           ", score " + score + ")";
  }
  return out;
}

// The signal a resource's waits are stated in, when the evidence has it.
std::string_view wait_signal(Resource r) {
  return r == Resource::Cpu ? "runq_latency_p99" : r == Resource::Disk ? "queue_depth" : "";
}

// The CPU and I/O controllers divide a contended resource among busy groups
// by weight, and a waiting task waits out the other groups' turns, so its
// wait scales with their share. The cause held `share` of the host's use;
// multiplying its weight against everyone else's by `factor` moves it to
// share*f / (share*f + 1 - share), and the measured wait by the same ratio.
Gain share_gain(const Bottleneck& b, double factor, const std::string& who) {
  const double share = std::clamp(b.cause_share > 0 ? b.cause_share : 0.5, 0.05, 0.95);
  const double after = share * factor / (share * factor + 1 - share);
  const Evidence* e = gain_signal(b, {wait_signal(b.resource)});
  std::string shares =
      who + "'s share of the contended resource " + percent(share) + " -> " + percent(after);
  if (!e) return shares;
  const double expected = e->value * after / share;
  return {e->signal + " of " + e->component + " " + model::format(e->value, e->unit) +
              " -> about " + model::format(expected, e->unit) + " (" + shares + ")",
          {e->signal, e->component, e->value, expected, false}};
}

}  // namespace

void Builder::add(std::string scenario, Knob knob, const Proposer& propose, Gain gain,
                  double confidence, std::string rationale) {
  auto current = read(knob);
  auto proposed = propose(current);
  if (!proposed || (current && *current == *proposed)) return;
  push(std::move(scenario), std::move(knob), current.value_or(""), *proposed, std::move(gain),
       confidence, std::move(rationale));
}

void Builder::add_first(const std::string& scenario, const std::vector<Option>& options,
                        const std::string& controller, const GainFn& gain, double confidence,
                        const std::string& rationale, const std::string& advice) {
  if (options.empty()) return;
  if (advice.empty())
    for (const auto& o : options)
      if (auto cur = read(o.knob)) {
        auto proposed = o.propose(cur);
        if (proposed && *proposed != *cur)
          push(scenario, o.knob, *cur, *proposed, gain(*cur, *proposed), confidence, rationale);
        return;  // readable: either a change or already tuned
      }
  const Option* pick = &options.front();
  auto controllers = read(cgroup_knob(options.front().knob.cgroup, "cgroup.controllers"));
  if (options.size() > 1 && controllers &&
      (" " + *controllers + " ").find(" " + controller + " ") == std::string::npos)
    pick = &options[1];
  auto proposed = pick->propose(pick->default_value);
  if (!proposed) return;
  push(scenario, pick->knob, "", *proposed, gain(pick->default_value, *proposed), confidence / 2,
       rationale);
  Recommendation& r = out_.back();
  r.advice_only = true;
  r.advice = !advice.empty() ? advice
                             : r.knob.name + " of " + r.knob.cgroup +
                                   " is not readable here (the cgroup is not in that "
                                   "controller's hierarchy): create it there and move the "
                                   "cgroup's processes in, then set it";
}

void Builder::push(std::string scenario, Knob knob, std::string current, std::string proposed,
                   Gain gain, double confidence, std::string rationale) {
  Recommendation r;
  std::string target = knob.kind == KnobKind::Cgroup  ? knob.cgroup
                       : knob.kind == KnobKind::Block ? knob.device
                                                      : knob.netns;
  r.id = scenario + ":" + (target.empty() ? "host" : target) + ":" + knob.name;
  r.scenario = std::move(scenario);
  r.knob = std::move(knob);
  r.current_value = std::move(current);
  r.proposed_value = std::move(proposed);
  r.evidence = evidence_text(b_);
  r.expected_gain = std::move(gain.text);
  r.predicted = std::move(gain.predicted);
  r.confidence = confidence;
  r.rationale = std::move(rationale);
  r.bottleneck_id = b_.id;
  out_.push_back(std::move(r));
}

std::string cgroup_of(const std::string& key) {
  constexpr std::string_view kPrefix = "cgroup:";
  return key.compare(0, kPrefix.size(), kPrefix) == 0 ? key.substr(kPrefix.size()) : "";
}
std::string device_of(const std::string& key) {
  constexpr std::string_view kPrefix = "disk:";
  return key.compare(0, kPrefix.size(), kPrefix) == 0 ? key.substr(kPrefix.size()) : "";
}

std::optional<double> number(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s->c_str(), &end);
  if (end == s->c_str()) return std::nullopt;
  return v;
}

std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Knob's fields in order: kind, name, cgroup, netns, device.
Knob cgroup_knob(const std::string& cgroup, std::string name) {
  return {KnobKind::Cgroup, std::move(name), cgroup};
}
Knob sysctl_knob(std::string name) {
  return {KnobKind::Sysctl, std::move(name)};
}
Knob block_knob(const std::string& dev, std::string name) {
  return {KnobKind::Block, std::move(name), "", "", dev};
}

Proposer raise_to(double floor, double factor, double cap) {
  return [=](const std::optional<std::string>& cur) -> std::optional<std::string> {
    auto v = number(cur);
    if (!v) return std::nullopt;
    double want = std::min(cap, std::max(floor, std::ceil(*v * factor)));
    if (want <= *v) return std::nullopt;
    return fmt_num(want);
  };
}

std::string percent(double share) {
  return model::format(share, model::Unit::Ratio);
}

const Evidence* gain_signal(const Bottleneck& b, std::initializer_list<std::string_view> prefer) {
  for (auto name : prefer)
    for (const auto& e : b.evidence)
      if (e.signal == name) return &e;
  return b.evidence.empty() ? nullptr : &b.evidence.front();
}

double weight_value(const std::string& v) {
  auto pos = v.find("default ");
  return std::strtod(v.c_str() + (pos == std::string::npos ? 0 : pos + 8), nullptr);
}

GainFn weight_gain(const Bottleneck& b, const std::string& who, bool raises_victim) {
  return [&b, who, raises_victim](const std::string& from, const std::string& to) -> Gain {
    double f = weight_value(from), t = weight_value(to);
    if (!(f > 0) || !(t > 0)) return "waits of the starved side shorten";
    // Raising the victim's weight is lowering everyone else's against it.
    return share_gain(b, raises_victim ? f / t : t / f, who);
  };
}

std::string root_advice(const Bottleneck& b, const std::string& knobs) {
  std::string procs;
  for (const auto& p : b.cause_processes) procs += (procs.empty() ? "" : ", ") + p;
  return "the top consumer is " + (procs.empty() ? std::string("processes") : procs) +
         " in the root cgroup, which has no " + knobs +
         ": move them into a cgroup of their own (systemd-run --scope, or a new cgroup "
         "directory) and set it there";
}

Proposer lower_to_quarter(double floor) {
  return [floor](const std::optional<std::string>& cur) -> std::optional<std::string> {
    auto v = number(cur);
    if (!v || *v <= floor) return std::nullopt;
    return fmt_num(std::max(floor, std::floor(*v / 4)));
  };
}

}  // namespace kpulse::analytics::rules
