#include "exporters/otlp_config.h"

#include <gtest/gtest.h>

#include <map>

namespace kpulse::exporters {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(OtlpConfig, DefaultsFollowTheSpec) {
  const OtlpConfig c = otlp_config_from_env(env_of({}));
  EXPECT_EQ(c.metrics.url, "http://localhost:4318/v1/metrics");
  EXPECT_EQ(c.logs.url, "http://localhost:4318/v1/logs");
  EXPECT_EQ(c.metrics.timeout.count(), 10000);
  EXPECT_EQ(c.export_interval.count(), 60000);
  EXPECT_FALSE(c.metrics.gzip);
  EXPECT_FALSE(c.export_interval_set);
  EXPECT_EQ(c.temporality, Temporality::Cumulative);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(OtlpConfig, GenericEndpointGetsSignalPathAppended) {
  EXPECT_EQ(
      otlp_config_from_env(env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}})).metrics.url,
      "http://c:4318/v1/metrics");
  const OtlpConfig c =
      otlp_config_from_env(env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4318/base/"}}));
  EXPECT_EQ(c.metrics.url, "https://c:4318/base/v1/metrics");
  EXPECT_EQ(c.logs.url, "https://c:4318/base/v1/logs");
}

TEST(OtlpConfig, SignalEndpointIsUsedAsIsAndWins) {
  const OtlpConfig c = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"},
      {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:9999/custom"},
  }));
  EXPECT_EQ(c.metrics.url, "http://m:9999/custom");
  EXPECT_EQ(c.logs.url, "http://generic:4318/v1/logs");
}

TEST(OtlpConfig, HeadersArePercentDecodedAndSignalSpecificOnesOverride) {
  const OtlpConfig c = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_HEADERS", " api-key = se%3Dcret , x-tenant=a%2Cb,broken"},
      {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-tenant=metrics"},
  }));
  ASSERT_EQ(c.metrics.headers.size(), 2u);
  EXPECT_EQ(c.metrics.headers[0], (std::pair<std::string, std::string>{"api-key", "se=cret"}));
  EXPECT_EQ(c.metrics.headers[1], (std::pair<std::string, std::string>{"x-tenant", "metrics"}));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("'broken'"), std::string::npos) << c.warnings[0];
}

TEST(OtlpConfig, BadPercentEscapeIsSkippedWithAWarning) {
  std::vector<std::string> w;
  const auto kv = parse_key_value_list("a=%zz,b=%4,c=ok%21", "X", w);
  ASSERT_EQ(kv.size(), 1u);
  EXPECT_EQ(kv[0].second, "ok!");
  EXPECT_EQ(w.size(), 2u);
}

TEST(OtlpConfig, TimeoutIntervalCompressionTemporality) {
  const OtlpConfig c = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
      {"OTEL_METRIC_EXPORT_INTERVAL", "15000"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"},
  }));
  EXPECT_EQ(c.metrics.timeout.count(), 2500);
  EXPECT_EQ(c.logs.timeout.count(), 2500);
  EXPECT_EQ(c.export_interval.count(), 15000);
  EXPECT_TRUE(c.metrics.gzip);
  EXPECT_TRUE(c.logs.gzip);
  EXPECT_TRUE(c.export_interval_set);
  EXPECT_EQ(c.temporality, Temporality::Delta);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(OtlpConfig, UnusableValuesKeepDefaultsAndSayWhy) {
  const OtlpConfig c = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"},
      {"OTEL_METRIC_EXPORT_INTERVAL", "-5"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"},
  }));
  EXPECT_EQ(c.metrics.timeout.count(), 10000);
  EXPECT_EQ(c.export_interval.count(), 60000);
  EXPECT_FALSE(c.metrics.gzip);
  EXPECT_FALSE(c.export_interval_set);
  ASSERT_EQ(c.warnings.size(), 3u);
  // Once each, although the generic variables apply to both signals.
  EXPECT_NE(c.warnings[0].find("OTEL_EXPORTER_OTLP_TIMEOUT='10s'"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("zstd"), std::string::npos);
  EXPECT_NE(c.warnings[2].find("OTEL_METRIC_EXPORT_INTERVAL='-5'"), std::string::npos);
}

}  // namespace
}  // namespace kpulse::exporters
