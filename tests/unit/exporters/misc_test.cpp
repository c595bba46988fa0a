// gzip, listen addresses, resource attributes, self metrics.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "exporters/gzip.h"
#include "exporters/prometheus_server.h"
#include "exporters/resource.h"
#include "exporters/self_metrics.h"
#include "peer_process.h"

namespace kpulse::exporters {
namespace {

TEST(Gzip, RoundTripsAndRejectsGarbage) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "system.cpu.time " + std::to_string(i) + "\n";
  const std::string z = gzip_compress(data);
  EXPECT_LT(z.size(), data.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  EXPECT_EQ(gzip_decompress(z), data);
  EXPECT_THROW(gzip_decompress("not gzip at all"), std::runtime_error);
}

TEST(ListenAddress, Forms) {
  auto a = parse_listen_address("127.0.0.1:9464");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9464);
  a = parse_listen_address(":9000");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9000);
  a = parse_listen_address("9001");
  EXPECT_EQ(a.host, "127.0.0.1");
  a = parse_listen_address("[::1]:9464");
  EXPECT_EQ(a.host, "::1");
  a = parse_listen_address("0.0.0.0:9464");
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_THROW(parse_listen_address("localhost:http"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("h:70000"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("[::1]9464"), std::invalid_argument);
}

TEST(Resource, DefaultsMachineIdAndEnvOverrides) {
  testing::TempDir dir;
  const auto id_path = dir.path() / "machine-id";
  std::ofstream(id_path) << "0123456789abcdef\n";
  std::map<std::string, std::string> vars{
      {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=lab,host.name=override,bad"},
      {"OTEL_SERVICE_NAME", "kpulse-lab"}};
  auto env = [&](const char* n) -> const char* {
    auto it = vars.find(n);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  std::vector<std::string> warnings;
  const KeyValues kv = resource_attributes({"myhost", id_path.string(), "9.9.9"}, env, warnings);
  std::map<std::string, std::string> m(kv.begin(), kv.end());
  EXPECT_EQ(m["host.name"], "override");
  EXPECT_EQ(m["host.id"], "0123456789abcdef");
  EXPECT_EQ(m["os.type"], "linux");
  EXPECT_EQ(m["service.name"], "kpulse-lab");
  EXPECT_EQ(m["service.version"], "9.9.9");
  EXPECT_EQ(m["deployment.environment"], "lab");
  EXPECT_EQ(warnings.size(), 1u);

  warnings.clear();
  const KeyValues plain = resource_attributes(
      {"myhost", (dir.path() / "missing").string(), ""},
      [](const char*) -> const char* { return nullptr; }, warnings);
  std::map<std::string, std::string> p(plain.begin(), plain.end());
  EXPECT_EQ(p["host.name"], "myhost");
  EXPECT_EQ(p.count("host.id"), 0u);
  EXPECT_EQ(p["service.name"], "kpulse");
  EXPECT_EQ(p["service.version"], std::string(kpulse_version()));
}

TEST(SelfMetrics, ExportDroppedCounterOnTheAgent) {
  SelfMetrics self;
  model::Snapshot s;
  ExportStats st;
  st.failed = 2;
  st.dropped = 5;
  self.apply(s, st);
  const auto* agent = s.find(model::ComponentKind::Agent, "kpulse");
  ASSERT_NE(agent, nullptr);
  EXPECT_EQ(agent->value(model::MetricId::SelfExportDropped), 7);
  EXPECT_EQ(agent->delta(model::MetricId::SelfExportDropped), 7);
  model::Snapshot next;
  st.dropped = 6;
  self.apply(next, st);
  agent = next.find(model::ComponentKind::Agent, "kpulse");
  EXPECT_EQ(agent->value(model::MetricId::SelfExportDropped), 8);
  EXPECT_EQ(agent->delta(model::MetricId::SelfExportDropped), 1);
}

}  // namespace
}  // namespace kpulse::exporters
