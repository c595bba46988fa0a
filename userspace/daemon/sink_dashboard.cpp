// The live dashboard as a daemon sink (dashboard/board.h): keeps the latest
// snapshot and the thinned live history the page draws.
#include "daemon/sinks.h"

namespace kpulse::daemon {
namespace {

class DashboardSink : public SnapshotSink {
 public:
  explicit DashboardSink(std::shared_ptr<dashboard::Board> board) : board_(std::move(board)) {}
  [[nodiscard]] std::string name() const override { return "dashboard"; }
  void consume(const model::Snapshot& s) override { board_->publish_snapshot(s); }

 private:
  std::shared_ptr<dashboard::Board> board_;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_dashboard_sink(std::shared_ptr<dashboard::Board> board) {
  return std::make_unique<DashboardSink>(std::move(board));
}

}  // namespace kpulse::daemon
