// The report's parts over synthetic and hand-made snapshots: series, the
// threshold bottlenecks, time arguments and the HTML's self-containment.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/html_report.h"
#include "report/saturation.h"
#include "report/series.h"
#include "report/svg_chart.h"
#include "report/time_arg.h"
#include "tests/support/synthetic_source.h"

namespace kpulse::report {
namespace {

constexpr int64_t kSec = 1'000'000'000;

// A host whose CPU utilization follows `cpu`, one snapshot per second.
std::vector<model::Snapshot> host_with_cpu(const std::vector<double>& cpu) {
  std::vector<model::Snapshot> out;
  for (size_t i = 0; i < cpu.size(); ++i) {
    model::Snapshot s;
    s.seq = i;
    s.time_ns = 1'764'000'000 * kSec + static_cast<int64_t>(i) * kSec;
    s.interval_s = 1;
    s.hostname = "h<1>";
    model::Component host;
    host.kind = model::ComponentKind::Host;
    host.id = "host";
    host.set_gauge(model::MetricId::CpuUtilization, cpu[i]);
    host.set_gauge(model::MetricId::MemTotal, 1000);
    host.set_gauge(model::MetricId::MemUsed, 500);
    s.components.push_back(host);
    model::Component eth;
    eth.kind = model::ComponentKind::Interface;
    eth.id = "eth0";
    eth.set_counter(model::MetricId::IfRxBytes, 1000.0 * i, 2048);
    s.components.push_back(eth);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<model::Snapshot> synthetic(int n) {
  synthetic::SyntheticSource src({});
  std::vector<model::Snapshot> out;
  for (int i = 0; i < n; ++i) out.push_back(*src.next());
  return out;
}

TEST(ReportSeries, CountersBecomeRatesGaugesStay) {
  auto snaps = host_with_cpu({0.1, 0.2, 0.3});
  Series cpu = host_cpu(snaps).series.at(0);
  ASSERT_EQ(cpu.points.size(), 3u);
  EXPECT_DOUBLE_EQ(cpu.points[2].value, 0.3);
  SeriesGroup net = network_throughput(snaps);
  ASSERT_EQ(net.series.size(), 1u);  // eth0 has no tx counter
  EXPECT_EQ(net.series[0].label, "eth0 rx");
  EXPECT_DOUBLE_EQ(net.series[0].points[1].value, 2048);
  EXPECT_DOUBLE_EQ(host_memory(snaps).series.at(0).points[0].value, 0.5);
}

TEST(ReportSeries, TopCgroupsAreTheBusiestAndSkipTheRoot) {
  auto snaps = synthetic(30);
  SeriesGroup g = top_cgroups_cpu(snaps, 3);
  ASSERT_EQ(g.series.size(), 3u);
  auto sum = [](const Series& s) {
    double t = 0;
    for (auto& p : s.points) t += p.value;
    return t;
  };
  EXPECT_GE(sum(g.series[0]), sum(g.series[1]));
  EXPECT_GE(sum(g.series[1]), sum(g.series[2]));
  for (const auto& s : g.series) EXPECT_NE(s.label, "/");
}

TEST(ReportSaturation, SpansCoverConsecutivePointsAtOrAboveTheThreshold) {
  auto snaps = host_with_cpu({0.2, 0.95, 0.97, 0.5, 0.9, 0.1, 0.99});
  Series cpu = host_cpu(snaps).series.at(0);
  auto spans = saturated_spans(cpu, 0.9, "cpu");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start_ns, snaps[1].time_ns);
  EXPECT_EQ(spans[0].end_ns, snaps[2].time_ns);
  EXPECT_NE(spans[0].message.find("peak 97%"), std::string::npos) << spans[0].message;
  EXPECT_EQ(spans[1].start_ns, spans[1].end_ns);
  EXPECT_EQ(spans[2].start_ns, snaps[6].time_ns);
  EXPECT_TRUE(saturated_spans(cpu, 1.0, "cpu").empty());
}

TEST(ReportTime, ParsesTheDocumentedForms) {
  int64_t now = 1'764'000'000 * kSec;
  EXPECT_EQ(parse_time_arg("1764000000", now), now);
  EXPECT_EQ(parse_time_arg("-2h", now), now - 7200 * kSec);
  EXPECT_EQ(parse_time_arg("-30m", now), now - 1800 * kSec);
  EXPECT_EQ(parse_time_arg("2025-11-24T16:00:00Z", now), 1'764'000'000 * kSec);
  EXPECT_EQ(parse_time_arg("2025-11-24 16:00", now), 1'764'000'000 * kSec);
  for (const char* bad : {"", "yesterday", "-2w", "2025-13-01T00:00", "2025-11-24T16:00+02"})
    EXPECT_FALSE(parse_time_arg(bad, now).has_value()) << bad;
}

TEST(ReportHtml, SelfContainedWithDataAndMarkedBottlenecks) {
  ReportInput in;
  in.snapshots = host_with_cpu({0.2, 0.95, 0.97, 0.5});
  in.recommendations.push_back({0, "Raise <limit>", "because"});
  std::string html = render_html(in);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@font-face"), std::string::npos);
  // The only URL is the SVG namespace, which is an identifier, not a fetch.
  std::string rest = html;
  for (size_t at; (at = rest.find("http")) != std::string::npos;) {
    EXPECT_EQ(rest.compare(at, 26, "http://www.w3.org/2000/svg"), 0) << rest.substr(at, 60);
    rest = rest.substr(at + 4);
  }
  EXPECT_NE(html.find("data-points=\"4\""), std::string::npos);
  EXPECT_NE(html.find("class=\"saturation\""), std::string::npos);
  EXPECT_NE(html.find("1 threshold bottleneck span(s)"), std::string::npos);
  EXPECT_NE(html.find("h&lt;1&gt;"), std::string::npos);  // hostname escaped
  EXPECT_NE(html.find("Raise &lt;limit&gt;"), std::string::npos);
  // Sections without a data source say so.
  EXPECT_NE(html.find("<section id=\"forecasts\">\n<h2>Forecasts</h2>\n<p class=\"empty\">None "
                      "recorded.</p>"),
            std::string::npos);
}

TEST(ReportHtml, AlertsFromAnalyticsAppearOnTheTimeline) {
  ReportInput in;
  in.snapshots = host_with_cpu({0.1, 0.1, 0.1});
  in.alerts.push_back({in.snapshots[1].time_ns, in.snapshots[2].time_ns, "critical", "memory",
                       "analytics", "memory leak suspected"});
  std::string html = render_html(in);
  EXPECT_NE(html.find("<rect class=\"alert critical\""), std::string::npos);
  EXPECT_NE(html.find("memory leak suspected"), std::string::npos);
  EXPECT_NE(html.find("1 alert(s) from analytics, 0 threshold"), std::string::npos);
}

TEST(ReportHtml, ForecastChartsDrawBandsPointAndLimit) {
  ReportInput in;
  in.snapshots = host_with_cpu({0.1, 0.2, 0.3});
  in.forecasts.push_back({in.snapshots[2].time_ns, "host:host cpu.utilization", "reached in 3 s"});
  ForecastChart c;
  c.title = "host:host cpu.utilization";
  c.unit = {model::Unit::Ratio};
  c.summary = "all CPUs busy (100%) reached in 3 s";
  for (const auto& s : in.snapshots) c.history.push_back({s.time_ns, 0.2});
  c.origin_ns = in.snapshots.back().time_ns;
  c.step_ns = 1'000'000'000;
  c.point = {0.4, 0.6, 0.8, 1.0};
  c.lo80 = {0.35, 0.5, 0.65, 0.8};
  c.hi80 = {0.45, 0.7, 0.95, 1.0};
  c.lo95 = {0.3, 0.45, 0.6, 0.7};
  c.hi95 = {0.5, 0.75, 1.0, 1.0};
  c.limit = 1.0;
  c.limit_name = "all CPUs busy";
  in.forecast_charts.push_back(c);
  const std::string html = render_html(in);
  const auto at = html.find("<section id=\"forecasts\">");
  ASSERT_NE(at, std::string::npos);
  const std::string section = html.substr(at, html.find("</section>", at) - at);
  EXPECT_NE(section.find("<polygon class=\"band95\""), std::string::npos);
  EXPECT_NE(section.find("<polygon class=\"band80\""), std::string::npos);
  EXPECT_NE(section.find("<polyline class=\"forecast\" data-points=\"4\""), std::string::npos);
  EXPECT_NE(section.find("<polyline class=\"series\" data-points=\"3\""), std::string::npos);
  EXPECT_NE(section.find("<line class=\"limit\""), std::string::npos);
  EXPECT_NE(section.find("all CPUs busy (100%) reached in 3 s"), std::string::npos);
  // A band polygon goes out along the upper bound and back along the lower:
  // twice as many points as steps.
  const auto poly = section.find("<polygon class=\"band80\" points=\"");
  const auto end = section.find('"', poly + 35);
  const std::string pts = section.substr(poly + 35, end - poly - 35);
  EXPECT_EQ(std::count(pts.begin(), pts.end(), ','), 8) << pts;
}

TEST(ReportHtml, NoSnapshotsIsAnError) {
  EXPECT_THROW(render_html(ReportInput{}), std::invalid_argument);
}

}  // namespace
}  // namespace kpulse::report
