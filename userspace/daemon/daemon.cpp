#include "daemon/daemon.h"

#include "daemon/log.h"
#include "daemon/service_notify.h"

namespace kpulse::daemon {

Daemon::Daemon(config::Config config, Source source, Reloader reloader)
    : started_(config),
      current_(std::move(config)),
      source_(std::move(source)),
      reloader_(std::move(reloader)) {
  set_log_level(current_.daemon.log_level);
}

Daemon::~Daemon() {
  stop_sinks();
}

void Daemon::add_sink(std::unique_ptr<SnapshotSink> sink) {
  log(LogLevel::Info, "sink {} started", sink->name());
  workers_.push_back(std::make_unique<SinkWorker>(
      std::move(sink), static_cast<size_t>(current_.daemon.sink_queue_depth)));
}

uint64_t Daemon::run(const std::function<bool()>& stop,
                     const std::function<bool()>& reload_requested) {
  using Clock = std::chrono::steady_clock;
  auto last_status = Clock::now();
  // The source polls `stop` while it waits and once per collection: each
  // poll is a sign of life for systemd's watchdog.
  ServiceWatchdog watchdog;
  if (watchdog.enabled())
    log(LogLevel::Info, "systemd watchdog: {} s", watchdog.interval().count() / 1e6);
  const std::function<bool()> alive_stop = [&] {
    watchdog.kick();
    return stop();
  };
  while (!alive_stop()) {
    if (reload_requested()) reload();
    std::optional<model::Snapshot> snapshot = source_(alive_stop);
    if (!snapshot) continue;  // stop requested while waiting
    ++snapshots_;
    auto shared = std::make_shared<const model::Snapshot>(std::move(*snapshot));
    for (auto& w : workers_) w->push(shared);

    double every = current_.daemon.status_interval_s;
    if (every > 0 && Clock::now() - last_status >= std::chrono::duration<double>(every)) {
      last_status = Clock::now();
      std::string line = status_line();
      log(LogLevel::Info, "{}", line);
      notify_service("STATUS=" + line);
    }
  }
  log(LogLevel::Info, "stopping after {} snapshots", snapshots_);
  stop_sinks();
  return snapshots_;
}

std::vector<std::string> Daemon::reload() {
  std::vector<std::string> restart;
  if (!reloader_) return restart;
  config::Config next;
  try {
    next = reloader_();
  } catch (const std::exception& e) {
    log(LogLevel::Error, "reload failed, keeping the running configuration: {}", e.what());
    return restart;
  }
  std::vector<std::string> live;
  for (const auto& key : config::changed_options(started_, next))
    if (!config::live_option(key)) restart.push_back(key);
  for (const auto& key : config::changed_options(current_, next))
    if (config::live_option(key)) live.push_back(key);
  // Restart-only options keep their running values until a restart.
  current_ = config::merge_live_options(started_, next);
  set_log_level(current_.daemon.log_level);
  for (auto& w : workers_) w->control([cfg = current_](SnapshotSink& s) { s.reconfigure(cfg); });
  std::string live_list, restart_list;
  for (const auto& k : live) live_list += (live_list.empty() ? "" : ", ") + k;
  for (const auto& k : restart) restart_list += (restart_list.empty() ? "" : ", ") + k;
  log(LogLevel::Notice, "configuration reloaded; applied: {}",
      live_list.empty() ? "nothing changed" : live_list);
  if (!restart.empty())
    log(LogLevel::Warning, "changed but only applied after a restart: {}", restart_list);
  return restart;
}

std::vector<std::pair<std::string, SinkStats>> Daemon::sink_stats() const {
  std::vector<std::pair<std::string, SinkStats>> out;
  for (const auto& w : workers_) out.emplace_back(w->name(), w->stats());
  return out;
}

bool Daemon::shutdown_lost_data() const {
  for (const auto& w : workers_)
    if (w->stats().flush_failed) return true;
  return false;
}

std::string Daemon::status_line() const {
  std::string line = fmt::format("{} snapshots", snapshots_);
  for (const auto& w : workers_) {
    SinkStats s = w->stats();
    line += fmt::format("; {}: {} consumed, {} dropped, {} failed, {} queued", w->name(),
                        s.consumed, s.dropped, s.failures, s.queued);
    std::string extra = w->sink_status();
    if (!extra.empty()) line += " (" + extra + ")";
  }
  return line;
}

void Daemon::stop_sinks() {
  for (auto& w : workers_) w->stop();
}

}  // namespace kpulse::daemon
