#include "tune/restore.h"

#include <algorithm>
#include <chrono>

#include "model/clock.h"
#include "tune/netns.h"

namespace kpulse::tune {
namespace {

enum class Outcome { Restored, Skipped, Failed };

// Writes the original back if the knob still holds what kpulse wrote; a
// different value means a person (or another tool) owns it now.
Outcome restore_one(Journal& j, Change c, ChangeState final_state, const std::string& reason,
                    const LogFn& log) {
  Knob k = c.knob;
  if (spec(k.kind).target == TargetKind::Netns && !relocate(k)) {
    c.state = ChangeState::Released;
    c.time_ns = model::wall_clock_ns();
    c.why = "network namespace gone; nothing to restore";
    j.append(c);
    log("tune: " + c.id + " " + k.key() + ": " + c.why);
    return Outcome::Skipped;
  }
  std::string cur, err;
  if (!read_knob(k, cur, err)) {
    log("tune: " + c.id + " " + k.key() + ": cannot read (" + err + "); left as is");
    return Outcome::Failed;
  }
  if (cur != c.written) {
    c.state = ChangeState::Released;
    c.time_ns = model::wall_clock_ns();
    c.why = "value is \"" + cur + "\", not what kpulse wrote (\"" + c.written +
            "\"): someone else changed it; not touching it";
    j.append(c);
    log("tune: " + c.id + " " + k.key() + ": " + c.why);
    return Outcome::Skipped;
  }
  // The host-wide opt-in guards new changes, not putting originals back.
  if (!write_knob(k, c.original, err, /*allow_host_wide=*/true)) {
    log("tune: " + c.id + " " + k.key() + ": restore failed: " + err);
    return Outcome::Failed;
  }
  c.state = final_state;
  c.time_ns = model::wall_clock_ns();
  c.why = reason;
  j.append(c);
  log("tune: " + c.id + " " + k.key() + ": " + c.written + " -> " + c.original + " (" + reason +
      ")");
  return Outcome::Restored;
}

RestoreResult restore_where(Journal& j, bool (*pick)(const Change&), ChangeState final_state,
                            const std::string& reason, const LogFn& log) {
  RestoreResult r;
  auto changes = j.load();
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    if (!pick(*it)) continue;
    switch (restore_one(j, *it, final_state, reason, log)) {
      case Outcome::Restored:
        ++r.restored;
        break;
      case Outcome::Skipped:
        ++r.skipped;
        break;
      case Outcome::Failed:
        ++r.failed;
        break;
    }
  }
  return r;
}

}  // namespace

bool relocate(Knob& k) {
  if (spec(k.kind).target != TargetKind::Netns) return true;
  NetnsRef ref;
  if (!find_netns(k.netns_inode, ref)) return false;
  k.target = ref.path;
  return true;
}

RestoreResult recover_on_trial(Journal& j, const LogFn& log) {
  return restore_where(
      j, [](const Change& c) { return c.state == ChangeState::OnTrial; }, ChangeState::Reverted,
      "recovered: still on trial when the last run ended", log);
}

RestoreResult rollback_all(Journal& j, const LogFn& log) {
  return restore_where(
      j, [](const Change& c) { return c.in_force(); }, ChangeState::RolledBack, "rollback", log);
}

bool undo_change(Journal& j, const std::string& id, const LogFn& log) {
  auto changes = j.load();
  auto it = std::find_if(changes.begin(), changes.end(), [&](auto& c) { return c.id == id; });
  if (it == changes.end()) {
    log("tune: no change with id " + id + " in " + j.path());
    return false;
  }
  if (!it->in_force()) {
    log("tune: " + id + " is " + std::string(to_string(it->state)) + ", not in force");
    return false;
  }
  for (auto later = it + 1; later != changes.end(); ++later)
    if (later->in_force() && later->knob.key() == it->knob.key()) {
      log("tune: " + later->id + " changed the same knob later; undo it first (" +
          later->undo_command() + ")");
      return false;
    }
  return restore_one(j, *it, ChangeState::RolledBack, "undo", log) == Outcome::Restored;
}

}  // namespace kpulse::tune
