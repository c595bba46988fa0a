#include "tune/planner.h"

#include <string>

#include "tune/reconcile.h"

namespace kpulse::tune {

Planner::Planner(std::vector<std::unique_ptr<Tuner>> tuners, TunerOptions options, size_t window)
    : tuners_(std::move(tuners)), options_(std::move(options)), window_(window) {}

std::vector<Proposal> Planner::step(model::Snapshot snapshot) {
  history_.push_back(std::move(snapshot));
  while (history_.size() > window_) history_.pop_front();
  const TuneContext ctx{history_, options_};
  std::vector<Proposal> out;
  for (auto& t : tuners_)
    for (auto& p : t->propose(ctx))
      if (options_.scope.empty() || p.knob.key().find(options_.scope) != std::string::npos)
        out.push_back(std::move(p));
  out = reconcile(std::move(out));
  seen_.insert(seen_.end(), out.begin(), out.end());
  return out;
}

std::vector<Proposal> Planner::plan() const {
  return reconcile(seen_);
}

}  // namespace kpulse::tune
