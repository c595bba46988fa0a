#include "tune/controller.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

#include "model/clock.h"
#include "tune/reconcile.h"

namespace kpulse::tune {
namespace {

std::vector<double> finite(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? std::nan("") : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double m = mean(v), sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  return std::sqrt(sq / (v.size() - 1));
}

// The cgroup a knob acts on, "" for knobs that are not a cgroup's: the
// guard treats that cgroup (and its subtree) as the target, the rest as
// neighbours. A weight re-divides its parent's CPU among the siblings by
// design, so for weights the parent's subtree is the target: the guard
// protects everyone outside the trade.
std::string cgroup_target(const Knob& k) {
  if (spec(k.kind).target != TargetKind::Cgroup) return "";
  std::string group = relative_group(k);
  return group.empty() ? k.target : group;
}

// Intervals a walk waits for its next step beyond a baseline window.
constexpr int kWalkPatience = 5;

}  // namespace

Verdict judge(const std::vector<double>& baseline_in, const std::vector<double>& eval_in,
              bool higher_is_better, double min_gain, double noise_sigmas) {
  Verdict v;
  auto base = finite(baseline_in), eval = finite(eval_in);
  if (base.empty() || eval.empty()) {
    v.reason = "objective not measurable";
    return v;
  }
  v.baseline = mean(base);
  v.evaluated = mean(eval);
  // Noise of the difference of two means.
  v.noise = noise_sigmas * std::sqrt(std::pow(stddev(base), 2) / base.size() +
                                     std::pow(stddev(eval), 2) / eval.size());
  double gain = higher_is_better ? v.evaluated - v.baseline : v.baseline - v.evaluated;
  double needed = std::max(v.noise, min_gain * std::abs(v.baseline));
  // A lower-is-better objective at zero cannot improve relatively: any real
  // drop counts (e.g. overflows 12/s → 0/s).
  v.keep = gain > needed && gain > 0;
  v.inconclusive = !v.keep && gain > 0 && gain > min_gain * std::abs(v.baseline);
  v.worse = -gain > needed;
  double rel = v.baseline != 0 ? gain / std::abs(v.baseline) * 100 : 0;
  v.reason = fmt::format("objective {:.4g} -> {:.4g} ({:+.1f}% {}, needed > {:.3g})", v.baseline,
                         v.evaluated, rel, v.keep ? "better" : "not better beyond noise", needed);
  return v;
}

double sigmas_at_look(double noise_sigmas, int look) {
  // After Pocock's group-sequential bound: with four equally spaced looks
  // the per-look critical value is 2.36 where a single look needs 1.96
  // (two-sided 5%), a factor of 1.2. The first look keeps the single-window
  // bound so a clear gain is judged exactly as before; only the extra looks
  // of an inconclusive trial pay for looking again.
  return look <= 1 ? noise_sigmas : noise_sigmas * 1.2;
}

Controller::Controller(Journal& journal, ControllerOptions options, LogFn log,
                       std::vector<std::unique_ptr<Tuner>> tuners)
    : journal_(journal),
      opt_(std::move(options)),
      log_(std::move(log)),
      tuners_(std::move(tuners)) {
  // Changes kept by earlier runs are still ours to watch (and to step aside from).
  for (const auto& c : journal_.load())
    if (c.state == ChangeState::Kept) managed_[c.knob.key()] = {c.id, c.written};
}

void Controller::step(const model::Snapshot& s) {
  history_.push_back(s);
  while (history_.size() > 64) history_.pop_front();
  judge_running(s);
  expire_walks();
  check_managed();
  // Tuners run every snapshot so stateful ones keep their rate history.
  TuneContext ctx{history_, opt_.tuner};
  std::vector<Proposal> proposals;
  for (auto& t : tuners_) {
    auto p = t->propose(ctx);
    std::move(p.begin(), p.end(), std::back_inserter(proposals));
  }
  if (history_.size() < static_cast<size_t>(opt_.baseline_window) + 1) return;
  auto now = std::chrono::steady_clock::now();
  for (auto& p : reconcile(std::move(proposals))) {
    std::string key = p.knob.key(), res = contended_resource(p.knob);
    if (p.advice_only || running_.count(res) || released_.count(key)) continue;
    if (!opt_.tuner.scope.empty() && key.find(opt_.tuner.scope) == std::string::npos) continue;
    if (auto it = next_allowed_.find(key); it != next_allowed_.end() && now < it->second) continue;
    if (steps_[key] >= opt_.max_steps_per_knob) continue;
    if (spec(p.knob.kind).host_wide && !opt_.allow_host_wide) continue;
    if (auto w = walks_.find(key); w != walks_.end()) {
      p.baseline = w->second.baseline;  // judged against where the walk began
    } else if (p.baseline.empty()) {
      // Pure objective: the baseline window is the snapshots just before now.
      for (size_t i = history_.size() - opt_.baseline_window; i < history_.size(); ++i)
        p.baseline.push_back(p.objective.sample(history_[i]));
    } else if (p.baseline.size() > static_cast<size_t>(opt_.baseline_window)) {
      p.baseline.erase(p.baseline.begin(), p.baseline.end() - opt_.baseline_window);
    }
    start(std::move(p));
  }
}

void Controller::start(Proposal p) {
  std::string key = p.knob.key();
  // Re-read right before writing: the proposal may be a few ms old.
  std::string cur, err;
  if (!read_knob(p.knob, cur, err, opt_.tuner.cgroup_root)) {
    log_("tune: skip " + key + ": " + err);
    return;
  }
  if (cur != p.current_raw) return;  // changed under us; the next round sees the new value
  Change c;
  c.id = journal_.new_id();
  c.knob = p.knob;
  c.netns_name = p.netns_name;
  c.original = cur;
  c.written = p.proposed_raw;
  c.state = ChangeState::OnTrial;
  c.time_ns = model::wall_clock_ns();
  c.scenario = p.scenario;
  c.why = p.evidence;
  journal_.append(c);  // throws: then nothing is written
  if (!write_knob(p.knob, p.proposed_raw, err, opt_.allow_host_wide, opt_.tuner.cgroup_root)) {
    c.state = ChangeState::Reverted;
    c.time_ns = model::wall_clock_ns();
    c.why = "write failed: " + err;
    journal_.append(c);
    log_("tune: " + c.id + " " + key + ": write failed: " + err);
    next_allowed_[key] = std::chrono::steady_clock::now() + opt_.cooldown;
    return;
  }
  log_(fmt::format("tune: {} trial scenario={} knob={} {} -> {} why: {}; expecting {}{}", c.id,
                   p.scenario, key, cur, p.proposed_raw, p.evidence, p.expected_gain,
                   p.note.empty() ? "" : " (" + p.note + ")"));
  ++steps_[key];
  managed_[key] = {c.id, c.written};
  Experiment e{c, std::move(p), {}, {}, {}, 0};
  e.settle_left = e.proposal.settle_intervals;
  // The neighbours as they were over the baseline window.
  const std::string target = cgroup_target(e.proposal.knob);
  size_t from = history_.size() > static_cast<size_t>(opt_.baseline_window)
                    ? history_.size() - opt_.baseline_window
                    : 0;
  for (size_t i = from; i < history_.size(); ++i)
    e.guard_base.push_back(guard_sample(history_[i], target));
  if (auto w = walks_.find(key); w != walks_.end()) e.guard_base = w->second.guard_base;
  running_.emplace(contended_resource(e.proposal.knob), std::move(e));
}

void Controller::release(const Knob& k, const std::string& id, const std::string& current,
                         const std::string& written) {
  std::string key = k.key();
  released_.insert(key);
  managed_.erase(key);
  auto changes = journal_.load();
  for (auto& c : changes)
    if (c.id == id) {
      c.state = ChangeState::Released;
      c.time_ns = model::wall_clock_ns();
      c.why = "changed by someone else to \"" + current + "\"";
      journal_.append(c);
    }
  log_(
      fmt::format("tune: {} {}: value is \"{}\", not \"{}\" as kpulse wrote: someone else "
                  "changed it; kpulse stops managing this knob",
                  id, key, current, written));
}

bool Controller::revert(Experiment& e, ChangeState state, const std::string& why) {
  std::string err;
  if (!write_knob(e.change.knob, e.change.original, err, true, opt_.tuner.cgroup_root)) {
    log_("tune: " + e.change.id + " revert failed: " + err + " (stays on trial; retried at start)");
    return false;
  }
  e.change.state = state;
  e.change.time_ns = model::wall_clock_ns();
  e.change.why = why;
  journal_.append(e.change);
  managed_.erase(e.change.knob.key());
  log_(fmt::format("tune: {} reverted knob={} {} -> {} why: {}", e.change.id, e.change.knob.key(),
                   e.change.written, e.change.original, why));
  return true;
}

void Controller::judge_running(const model::Snapshot& s) {
  for (auto it = running_.begin(); it != running_.end();) {
    Experiment& e = it->second;
    std::string cur, err;
    if (!read_knob(e.change.knob, cur, err, opt_.tuner.cgroup_root)) {
      log_("tune: " + e.change.id + " cannot read " + e.change.knob.key() + ": " + err);
      it = running_.erase(it);
      continue;
    }
    if (cur != e.change.written) {
      release(e.change.knob, e.change.id, cur, e.change.written);
      it = running_.erase(it);
      continue;
    }
    double v = e.proposal.objective.sample(s);
    if (e.settle_left > 0) {
      --e.settle_left;
      ++it;
      continue;
    }
    e.eval.push_back(v);
    e.guard_eval.push_back(guard_sample(s, cgroup_target(e.change.knob)));
    // Looks fall on whole windows only: judging after every extra sample
    // would be many more looks than the bound in sigmas_at_look allows for.
    const size_t window = static_cast<size_t>(opt_.eval_window);
    if (e.eval.size() % window != 0) {
      ++it;
      continue;
    }
    const int look = static_cast<int>(e.eval.size() / window);
    Verdict v2 = judge(e.proposal.baseline, e.eval, e.proposal.objective.higher_is_better,
                       opt_.min_gain, sigmas_at_look(opt_.noise_sigmas, look));
    std::string key = e.change.knob.key();
    if (v2.inconclusive && look <= opt_.eval_extensions) {
      log_(
          fmt::format("tune: {} inconclusive knob={} {}: {}; the trial goes on for {} more samples",
                      e.change.id, key, e.proposal.objective.name, v2.reason, window));
      ++it;
      continue;
    }
    conclude(e, v2);
    it = running_.erase(it);
  }
}

void Controller::conclude(Experiment& e, const Verdict& v) {
  const std::string key = e.change.knob.key();
  const bool may_walk = !v.keep && !v.worse && spec(e.change.knob.kind).walks_to_ceiling &&
                        !e.proposal.at_ceiling && steps_[key] < opt_.max_steps_per_knob;
  GuardMargins margins = opt_.guard;
  margins.min_idle_cpus = opt_.tuner.min_idle_cpus;
  auto harm = v.keep || may_walk
                  ? neighbour_harm(e.change.knob.kind, e.guard_base, e.guard_eval, margins)
                  : std::nullopt;
  if (harm) {
    // Helped its target at a neighbour's cost: not a gain kpulse keeps.
    give_up(e, fmt::format("neighbour guard: {}; although {}: {}", *harm, e.proposal.objective.name,
                           v.reason));
  } else if (v.keep) {
    auto walk = walks_.extract(key);
    if (!walk.empty())
      for (auto& step : walk.mapped().steps) keep(step, "with the step after it: " + v.reason);
    keep(e.change, e.proposal.objective.name + ": " + v.reason);
    next_allowed_[key] = std::chrono::steady_clock::now() + opt_.knob_rate_limit;
  } else if (may_walk) {
    // Not better, not worse: stays on trial (a crash reverts it) and the
    // next step is judged against the baseline before the first.
    Walk& w = walks_[key];
    if (w.steps.empty()) {
      w.baseline = e.proposal.baseline;
      w.guard_base = e.guard_base;
    }
    w.steps.push_back(e.change);
    w.idle = 0;
    log_(
        fmt::format("tune: {} no gain yet knob={} {} -> {}: {}: {}; a limit pays once it covers "
                    "the working set, so the next step goes on toward the ceiling (every "
                    "step is reverted if none pays)",
                    e.change.id, key, e.change.original, e.change.written,
                    e.proposal.objective.name, v.reason));
  } else {
    give_up(e, e.proposal.objective.name + ": " + v.reason);
  }
}

void Controller::keep(Change& c, const std::string& why) {
  c.state = ChangeState::Kept;
  c.time_ns = model::wall_clock_ns();
  c.why = why;
  journal_.append(c);
  log_(fmt::format("tune: {} kept knob={} {} -> {} why: {}", c.id, c.knob.key(), c.original,
                   c.written, why));
}

void Controller::give_up(Experiment& e, const std::string& why) {
  const std::string key = e.change.knob.key();
  if (!revert(e, ChangeState::Reverted, why)) return;
  revert_walk(key, "the step after it did not pay: " + why);
  // A step that did not help: leave the knob alone for good this run.
  steps_[key] = opt_.max_steps_per_knob;
  next_allowed_[key] = std::chrono::steady_clock::now() + opt_.cooldown;
}

void Controller::revert_walk(const std::string& key, const std::string& why) {
  auto walk = walks_.extract(key);
  if (walk.empty()) return;
  auto& steps = walk.mapped().steps;
  // Newest first, each to its own original: the last one written is the
  // first step's original, the value before kpulse began.
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    Experiment step{*it, {}, {}, {}, {}, 0};
    revert(step, ChangeState::Reverted, why);
  }
  managed_.erase(key);
}

// A walk whose next step never starts (the evidence went away, the tuner
// stopped proposing) cannot show that its steps paid: they go back.
void Controller::expire_walks() {
  for (auto it = walks_.begin(); it != walks_.end();) {
    const std::string key = it->first;
    bool stepping = false;
    for (auto& [res, e] : running_)
      if (e.change.knob.key() == key) stepping = true;
    if (stepping || ++it->second.idle <= opt_.baseline_window + kWalkPatience) {
      ++it;
      continue;
    }
    ++it;
    revert_walk(key, "no further step came to show the walk paid");
    steps_[key] = opt_.max_steps_per_knob;
  }
}

void Controller::check_managed() {
  for (auto it = managed_.begin(); it != managed_.end();) {
    bool on_trial = false;
    for (auto& [res, e] : running_)
      if (e.change.knob.key() == it->first) on_trial = true;
    if (on_trial) {
      ++it;
      continue;
    }
    // Look the change up for its knob (the key alone cannot be read).
    auto key = it->first;
    auto [id, written] = it->second;
    ++it;
    for (const auto& c : journal_.load()) {
      if (c.id != id) continue;
      Knob k = c.knob;
      if (!relocate(k)) break;
      std::string cur, err;
      if (read_knob(k, cur, err, opt_.tuner.cgroup_root) && cur != written)
        release(k, id, cur, written);
    }
  }
}

void Controller::abandon_trials(const std::string& why) {
  for (auto& [res, e] : running_) revert(e, ChangeState::Reverted, why);
  running_.clear();
  while (!walks_.empty()) revert_walk(walks_.begin()->first, why);
}

}  // namespace kpulse::tune
