// The closed loop: one experiment at a time per contended resource, on a
// reconciled set of proposals (advice is never applied). Each experiment
// journals the original, writes one bounded step, samples its objective over
// an evaluation window and keeps the step only if the objective improved
// beyond the noise of the baseline window and no neighbour got worse beyond
// the guard's margins; otherwise it writes the original back. A knob someone
// else changes is released, never fought over.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tune/guard.h"
#include "tune/journal.h"
#include "tune/restore.h"
#include "tune/tuners.h"

namespace kpulse::tune {

struct ControllerOptions {
  int baseline_window = 5;  // snapshots before a change
  int eval_window = 5;      // snapshots after it (after settling)
  double min_gain = 0.05;   // relative improvement required to keep a step
  double noise_sigmas = 2;  // and at least this many baseline standard deviations
  // A window whose gain clears min_gain but not the noise is inconclusive,
  // not a failure: the trial goes on for up to this many more windows (more
  // samples shrink the noise of the mean) before it is judged for good.
  int eval_extensions = 3;
  std::chrono::seconds knob_rate_limit{10};  // minimum time between writes to one knob
  std::chrono::seconds cooldown{120};        // after a revert, leave the knob alone this long
  bool allow_host_wide = false;
  int max_steps_per_knob = 8;
  TunerOptions tuner;
  // The neighbour guard (guard.h); min_idle_cpus follows tuner.min_idle_cpus.
  GuardMargins guard;
};

// The verdict of one evaluation window, exposed for tests.
struct Verdict {
  bool keep = false;
  // Not kept, yet the gain clears the minimum: only the noise stands in the way.
  bool inconclusive = false;
  // Worse beyond the same bound a gain has to clear.
  bool worse = false;
  double baseline = 0, evaluated = 0, noise = 0;
  std::string reason;
};
Verdict judge(const std::vector<double>& baseline, const std::vector<double>& evaluated,
              bool higher_is_better, double min_gain, double noise_sigmas);
// The noise multiplier for a trial's look number `look` (1 = the first
// window): looking again at a growing window and keeping on the first look
// that passes would raise the false-keep rate, so every look after the first
// is held to a stricter bound.
double sigmas_at_look(double noise_sigmas, int look);

class Controller {
 public:
  Controller(Journal& journal, ControllerOptions options, LogFn log,
             std::vector<std::unique_ptr<Tuner>> tuners);
  // Feeds one snapshot: judges running experiments, checks managed knobs for
  // outside changes, then starts new experiments on idle resources.
  void step(const model::Snapshot& s);
  // Reverts experiments still on trial (their step is unproven).
  void abandon_trials(const std::string& why);
  [[nodiscard]] size_t running() const { return running_.size(); }

 private:
  struct Experiment {
    Change change;
    Proposal proposal;
    std::vector<double> eval;
    std::vector<GuardSample> guard_base, guard_eval;
    int settle_left = 0;
  };
  // Steps of a limit walking toward its ceiling (KnobSpec::walks_to_ceiling):
  // each on trial until one pays (all kept) or one hurts (all reverted).
  struct Walk {
    std::vector<Change> steps;
    std::vector<double> baseline;
    std::vector<GuardSample> guard_base;
    int idle = 0;
  };
  void judge_running(const model::Snapshot& s);
  void conclude(Experiment& e, const Verdict& v);
  void keep(Change& c, const std::string& why);
  void give_up(Experiment& e, const std::string& why);
  void revert_walk(const std::string& key, const std::string& why);
  void expire_walks();
  void check_managed();
  void start(Proposal p);
  bool revert(Experiment& e, ChangeState state, const std::string& why);
  void release(const Knob& k, const std::string& id, const std::string& current,
               const std::string& written);

  Journal& journal_;
  ControllerOptions opt_;
  LogFn log_;
  std::vector<std::unique_ptr<Tuner>> tuners_;
  std::deque<model::Snapshot> history_;
  std::map<std::string, Experiment> running_;  // by contended resource (reconcile.h)
  // Knobs kpulse currently manages: key → (change id, value written).
  std::map<std::string, std::pair<std::string, std::string>> managed_;
  std::set<std::string> released_;  // knob keys someone else took over
  std::map<std::string, std::chrono::steady_clock::time_point> next_allowed_;
  std::map<std::string, int> steps_;
  std::map<std::string, Walk> walks_;  // by knob key
};

}  // namespace kpulse::tune
