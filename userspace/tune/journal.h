// The tuning journal: an append-only log (JSON lines) under the state
// directory holding, for every change kpulse makes, the original value and
// the change's state. The record is on disk (file and directory fsync'd)
// before the knob is written, so a crash never loses an original.
//
// States: on_trial → kept | reverted; kept → rolled_back; any → released
// (someone else wrote the knob: kpulse stepped aside and owns it no more).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tune/knob.h"

namespace kpulse::tune {

// Where `kpulse run` and `kpulse tune` keep the journal unless told otherwise.
inline constexpr const char* kDefaultStateDir = "/var/lib/kpulse";

enum class ChangeState { OnTrial, Kept, Reverted, RolledBack, Released };
std::string_view to_string(ChangeState s);
bool parse_state(std::string_view s, ChangeState& out);

struct Change {
  std::string id;  // stable: "c<unix-seconds>-<n>"
  Knob knob;
  std::string netns_name;  // for people: "kp1", "host"
  std::string original;    // raw value before kpulse wrote
  std::string written;     // raw value kpulse wrote
  ChangeState state = ChangeState::OnTrial;
  int64_t time_ns = 0;   // of this record
  std::string scenario;  // "cpu_throttled_idle_host"
  std::string why;       // one line

  // A command a person can paste to undo this change, with --state-dir when the journal is not in
  // the default state directory.
  [[nodiscard]] std::string undo_command(const std::string& state_dir = kDefaultStateDir) const;
  [[nodiscard]] bool in_force() const {
    return state == ChangeState::OnTrial || state == ChangeState::Kept;
  }
};

class Journal {
 public:
  // Creates `state_dir` (mode 0750) if needed. Throws std::runtime_error with
  // the path and reason when it cannot, or when the directory is owned by
  // another user or writable by group or others (record::ensure_private_dir).
  explicit Journal(std::string state_dir);
  [[nodiscard]] const std::string& path() const { return path_; }

  // Appends one record and fsyncs the file (and, the first time, the
  // directory). Throws std::runtime_error on failure: callers must not write
  // the knob then.
  void append(const Change& c);
  // Every change, latest record per id, in the order changes were first made.
  // Malformed lines are skipped and described in `warnings` ("file:line: reason").
  // No journal file is no changes; one that cannot be read, is not a regular
  // file, or is owned or writable by another user throws std::runtime_error.
  [[nodiscard]] std::vector<Change> load(std::vector<std::string>* warnings = nullptr) const;
  // Every record in the order written: each change's trial, verdict and
  // rollback as separate entries (the report's tuning history).
  [[nodiscard]] std::vector<Change> history(std::vector<std::string>* warnings = nullptr) const;
  // A fresh id, unique within this journal.
  std::string new_id();

 private:
  std::string dir_, path_;
  int counter_ = 0;
  bool dir_synced_ = false;
};

}  // namespace kpulse::tune
