#include "tune/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "record/private_dir.h"
#include "trust/owner_rule.h"

namespace kpulse::tune {
namespace {

constexpr std::pair<ChangeState, std::string_view> kStates[] = {
    {ChangeState::OnTrial, "on_trial"},  {ChangeState::Kept, "kept"},
    {ChangeState::Reverted, "reverted"}, {ChangeState::RolledBack, "rolled_back"},
    {ChangeState::Released, "released"},
};

void fsync_path(const std::string& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(p + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("fsync " + p + ": " + std::strerror(err));
}

// The journal's text; "" when there is none yet. Throws when it cannot be
// read (a user told "no changes" about a journal they may not read would be
// misled) or when someone other than root or this user owns it or could
// have written it.
std::string read_journal_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw std::runtime_error(path + ": " + std::strerror(errno));
  }
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0)
    why = std::strerror(errno);
  else if (!S_ISREG(st.st_mode))
    why = "not a regular file";
  else if (const std::string untrusted = trust::why_untrusted(st); !untrusted.empty())
    why = "refusing to read: " + untrusted;
  std::string text;
  char buf[65536];
  for (ssize_t n; why.empty() && (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      why = std::strerror(errno);
      break;
    }
    text.append(buf, size_t(n));
  }
  ::close(fd);
  if (!why.empty()) throw std::runtime_error(path + ": " + why);
  return text;
}

}  // namespace

std::string_view to_string(ChangeState s) {
  for (auto& [k, v] : kStates)
    if (k == s) return v;
  return "?";
}

bool parse_state(std::string_view s, ChangeState& out) {
  for (auto& [k, v] : kStates)
    if (v == s) {
      out = k;
      return true;
    }
  return false;
}

std::string Change::undo_command(const std::string& state_dir) const {
  std::string dir = state_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir == kDefaultStateDir) return "kpulse tune --undo " + id;
  return "kpulse tune --undo " + id + " --state-dir " + state_dir;
}

Journal::Journal(std::string state_dir) : dir_(std::move(state_dir)) {
  // Restores write whatever the journal says, host-wide knobs included: a
  // directory another user can plant a journal in is refused as `kpulse run`
  // refuses it.
  record::ensure_private_dir(dir_);
  path_ = dir_ + "/tune-journal.jsonl";
}

void Journal::append(const Change& c) {
  nlohmann::json j = {{"id", c.id},
                      {"knob", c.knob.id()},
                      {"target", c.knob.target},
                      {"netns_inode", c.knob.netns_inode},
                      {"netns", c.netns_name},
                      {"original", c.original},
                      {"written", c.written},
                      {"state", std::string(to_string(c.state))},
                      {"time_ns", c.time_ns},
                      {"scenario", c.scenario},
                      {"why", c.why}};
  std::string line = j.dump() + "\n";
  bool created = !std::filesystem::exists(path_);
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(path_ + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = errno;
  int rc = n == static_cast<ssize_t>(line.size()) ? ::fsync(fd) : -1;
  if (rc != 0 && n == static_cast<ssize_t>(line.size())) err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(path_ + ": append: " + std::strerror(err));
  // A new file's directory entry is durable only once the directory is synced.
  if (created || !dir_synced_) {
    fsync_path(dir_, O_RDONLY | O_DIRECTORY);
    dir_synced_ = true;
  }
}

std::vector<Change> Journal::load(std::vector<std::string>* warnings) const {
  std::vector<Change> out;
  for (auto& c : history(warnings)) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Change& o) { return o.id == c.id; });
    if (it == out.end())
      out.push_back(std::move(c));
    else
      *it = std::move(c);
  }
  return out;
}

std::vector<Change> Journal::history(std::vector<std::string>* warnings) const {
  std::vector<Change> out;
  std::istringstream in(read_journal_file(path_));
  std::string line;
  int lineno = 0;
  auto warn = [&](const std::string& why) {
    if (warnings) warnings->push_back(path_ + ":" + std::to_string(lineno) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    Change c;
    try {
      auto j = nlohmann::json::parse(line);
      c.id = j.at("id").get<std::string>();
      auto kind = knob_from_id(j.at("knob").get<std::string>());
      if (!kind) {
        warn("unknown knob \"" + j.at("knob").get<std::string>() + "\"");
        continue;
      }
      c.knob.kind = *kind;
      c.knob.target = j.at("target").get<std::string>();
      c.knob.netns_inode = j.value("netns_inode", uint64_t{0});
      c.netns_name = j.value("netns", "");
      c.original = j.at("original").get<std::string>();
      c.written = j.at("written").get<std::string>();
      if (!parse_state(j.at("state").get<std::string>(), c.state)) {
        warn("unknown state \"" + j.at("state").get<std::string>() + "\"");
        continue;
      }
      c.time_ns = j.value("time_ns", int64_t{0});
      c.scenario = j.value("scenario", "");
      c.why = j.value("why", "");
    } catch (const std::exception& e) {
      // A torn last line after a crash lands here; earlier records stay valid.
      warn(e.what());
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string Journal::new_id() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  for (;;) {
    std::string id = "c" + std::to_string(secs) + "-" + std::to_string(++counter_);
    bool taken = false;
    for (const auto& c : load())
      if (c.id == id) taken = true;
    if (!taken) return id;
  }
}

}  // namespace kpulse::tune
