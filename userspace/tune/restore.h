// Putting originals back from the journal: crash recovery (changes still on
// trial), `--rollback` (everything in force), `--undo ID` (one change).
// Restores go newest first so stacked changes to one knob unwind in order.
#pragma once

#include <functional>
#include <string>

#include "tune/journal.h"

namespace kpulse::tune {

using LogFn = std::function<void(const std::string&)>;

struct RestoreResult {
  int restored = 0;
  int skipped = 0;  // the knob was changed by someone else, or its target is gone
  int failed = 0;
};

// Re-resolves where a netns knob lives now (its journaled path may name a
// process that exited). Returns false when the namespace no longer exists.
bool relocate(Knob& k);

// Reverts every change still on trial (what a crash or kill -9 left behind).
RestoreResult recover_on_trial(Journal& j, const LogFn& log);
// Restores every change in force (on trial or kept).
RestoreResult rollback_all(Journal& j, const LogFn& log);
// Restores one change; refuses (with a message) if a later change to the same
// knob is still in force. Returns false when nothing was restored.
bool undo_change(Journal& j, const std::string& id, const LogFn& log);

}  // namespace kpulse::tune
