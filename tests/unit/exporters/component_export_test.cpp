// Listeners are exported like any component (labels from naming.cpp, names
// from the catalog); exited tasks never become series, only log records.
#include <gtest/gtest.h>

#include <map>

#include "exporters/cardinality.h"
#include "exporters/component_events.h"
#include "exporters/otlp_encoder.h"
#include "exporters/prometheus_text.h"
#include "model/listeners_exits.h"

namespace kpulse::exporters {
namespace {

model::Snapshot listener_and_exit() {
  model::Snapshot s;
  s.time_ns = 1'700'000'000'000'000'000;
  s.interval_s = 1;
  s.components.push_back(model::to_component(
      model::Listener{.netns = 7, .address = "[::1]:8443", .backlog = 64, .queued = 5}));
  s.components.push_back(model::to_component(model::ExitedTask{
      .pid = 99, .tgid = 99, .comm = "sh", .cgroup = "/job", .cpu_time_s = 0.5, .exit_code = 256}));
  return s;
}

TEST(ComponentExport, ListenerSeriesCarryNetnsAddressAndPort) {
  model::Snapshot s = listener_and_exit();
  limit_cardinality(s, {});
  std::string text;
  append_prometheus_text(text, s);
  EXPECT_NE(text.find("kpulse_tcp_listen_queued{netns=\"7\",address=\"::1\",port=\"8443\"} 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kpulse_tcp_listen_overflows_total{netns=\"7\",address=\"::1\",port=\"8443\","
                      "level=\"listener\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("exited"), std::string::npos) << text;
  OtlpMetricsEncoder enc{OtlpEncoderOptions{}};
  const auto req = enc.encode(s);
  for (const auto& m : req.resource_metrics(0).scope_metrics(0).metrics())
    EXPECT_EQ(m.name().find("exited"), std::string::npos) << m.name();
}

TEST(ComponentExport, AnExitIsOneEventWithCatalogAttributes) {
  const auto events = component_events(listener_and_exit());
  ASSERT_EQ(events.size(), 1u);
  const ExportEvent& e = events[0];
  EXPECT_EQ(e.name, "kpulse.exited");
  EXPECT_EQ(e.body, "exited sh [99] in /job");
  std::map<std::string, std::string> a(e.attributes.begin(), e.attributes.end());
  EXPECT_EQ(a["process.pid"], "99");
  EXPECT_EQ(a["process.executable.name"], "sh");
  EXPECT_EQ(a["kpulse.cgroup"], "/job");
  EXPECT_EQ(a["kpulse.exited.cpu_time"], "0.5");
  EXPECT_EQ(a["kpulse.exited.exit_code"], "256");
}

}  // namespace
}  // namespace kpulse::exporters
