// The CPU profile view: what the daemon's continuous profiler recorded
// around the replayed moment, per busy cgroup.
#include <algorithm>

#include "tui/format.h"
#include "tui/frame_parts.h"

namespace kpulse::tui::parts {

void profile_view(const FrameInput& in, const std::string& selected, int width,
                  std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  out.push_back(Line{}.add("CPU profile (recorded stacks)", Style::Title));
  if (!in.profile) {
    out.push_back(Line{}.add(
        truncate("no recorded stacks: live top does not profile (kpulse profile samples now; "
                 "kpulse replay shows what the daemon's [profile] recorded)",
                 width, g.ellipsis),
        Style::Dim));
    return;
  }
  const ProfileView& p = *in.profile;
  if (!p.window.empty()) out.push_back(Line{}.add(truncate(p.window, width, g.ellipsis)));
  if (p.cgroups.empty()) {
    out.push_back(
        Line{}.add(truncate(p.status.empty() ? "no recorded stacks" : p.status, width, g.ellipsis),
                   Style::Dim));
    return;
  }
  // The row selected in a table view, when it is a cgroup, comes first.
  std::vector<const ProfileCgroup*> order;
  for (const auto& c : p.cgroups) order.push_back(&c);
  std::stable_partition(order.begin(), order.end(),
                        [&](const ProfileCgroup* c) { return selected == "cgroup:" + c->cgroup; });
  for (const ProfileCgroup* c : order) {
    out.push_back(Line{});
    out.push_back(Line{}.add(truncate(c->hot, width, g.ellipsis), Style::Title));
    // A long stack loses its root end: the leaf is the function that ran.
    for (const auto& s : c->stacks) {
      const std::string share = "  " + s.share + "  ";
      out.push_back(Line{}.add(share).add(
          truncate_left(s.stack, std::max(0, width - int(share.size())), g.ellipsis)));
    }
  }
}

}  // namespace kpulse::tui::parts
