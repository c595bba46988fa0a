#include "report/html_report.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>

#include "model/markup.h"
#include "report/saturation.h"
#include "report/series.h"
#include "report/svg_chart.h"

namespace kpulse::report {
namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 1.5em auto; max-width: 960px; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
nav a { margin-right: 1em; }
.meta { color: #555; }
figure { margin: 1em 0; }
figcaption { font-weight: bold; margin-bottom: 0.3em; }
.legend span { display: inline-block; margin-right: 1.2em; font-size: 0.9em; }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 4px; vertical-align: middle; }
.empty { color: #777; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #eee; }
)";

std::string full_time(int64_t ns) {
  std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string chart_figure(const SeriesGroup& g, const TimeSpan& span,
                         const std::vector<Finding>& findings, const std::string& resource) {
  std::string out = fmt::format("<figure id=\"chart-{}\">\n<figcaption>{}</figcaption>\n", g.id,
                                model::escape_markup(g.title));
  bool has_data = std::any_of(g.series.begin(), g.series.end(),
                              [](const Series& s) { return !s.points.empty(); });
  if (!has_data) return out + "<p class=\"empty\">No data in this period.</p>\n</figure>\n";
  std::vector<Finding> marks;
  for (const auto& f : findings)
    if (f.resource == resource) marks.push_back(f);
  out += line_chart_svg(g, span, marks);
  out += legend_html(g);
  if (!marks.empty()) out += fmt::format("<p>{} bottleneck span(s) marked.</p>\n", marks.size());
  return out + "</figure>\n";
}

std::string notes_section(const std::string& id, const std::string& title,
                          const std::vector<Note>& notes) {
  std::string out =
      fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", id, model::escape_markup(title));
  if (notes.empty()) return out + "<p class=\"empty\">None recorded.</p>\n</section>\n";
  out += "<table><tr><th>Time</th><th>What</th><th>Detail</th></tr>\n";
  for (const auto& n : notes)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       n.time_ns ? full_time(n.time_ns) : "", model::escape_markup(n.title),
                       model::escape_markup(n.detail));
  return out + "</table>\n</section>\n";
}

// The forecasts table, then one chart per forecast with its bands.
std::string forecasts_section(const ReportInput& in) {
  std::string out = notes_section("forecasts", "Forecasts", in.forecasts);
  if (in.forecast_charts.empty()) return out;
  out.erase(out.size() - std::string("</section>\n").size());
  for (const auto& c : in.forecast_charts)
    out += fmt::format("<figure><figcaption>{}</figcaption>\n{}<p class=\"meta\">{}</p></figure>\n",
                       model::escape_markup(c.title), forecast_chart_svg(c),
                       model::escape_markup(c.summary));
  return out + "</section>\n";
}

std::string alerts_section(const std::vector<Finding>& findings, const TimeSpan& span) {
  std::string out = "<section id=\"alerts\">\n<h2>Alerts and bottlenecks</h2>\n";
  if (findings.empty()) return out + "<p class=\"empty\">None recorded.</p>\n</section>\n";
  out += timeline_svg(findings, span);
  out +=
      "<table><tr><th>From</th><th>To</th><th>Severity</th><th>Resource</th><th>Source</th>"
      "<th>Message</th></tr>\n";
  for (const auto& f : findings)
    out +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    clock_time(f.start_ns), clock_time(f.end_ns), model::escape_markup(f.severity),
                    model::escape_markup(f.resource), model::escape_markup(f.source),
                    model::escape_markup(f.message));
  return out + "</table>\n</section>\n";
}

}  // namespace

std::string render_html(const ReportInput& in) {
  if (in.snapshots.empty()) throw std::invalid_argument("report: no snapshots in the period");
  const auto& snaps = in.snapshots;
  TimeSpan span{snaps.front().time_ns, snaps.back().time_ns};
  if (span.to_ns <= span.from_ns) span.to_ns = span.from_ns + 1'000'000'000;

  std::vector<Finding> findings = in.alerts;
  auto thresholds = threshold_findings(snaps, in.thresholds);
  findings.insert(findings.end(), thresholds.begin(), thresholds.end());
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.start_ns < b.start_ns; });

  SeriesGroup cpu = host_cpu(snaps);
  cpu.threshold = in.thresholds.cpu;
  SeriesGroup mem = host_memory(snaps);
  mem.threshold = in.thresholds.memory;
  SeriesGroup psi = host_psi(snaps);
  psi.threshold = in.thresholds.psi;
  SeriesGroup disks = disk_utilization(snaps);
  disks.threshold = in.thresholds.disk;
  SeriesGroup net = network_throughput(snaps);
  SeriesGroup cgroups = top_cgroups_cpu(snaps, 6);

  std::string host = snaps.back().hostname;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += fmt::format("<title>{} — {}</title>\n", model::escape_markup(in.title),
                      model::escape_markup(host));
  html += std::string("<style>") + kStyle + chart_css() + "</style>\n</head>\n<body>\n";
  html += fmt::format("<header>\n<h1>{}: {}</h1>\n", model::escape_markup(in.title),
                      model::escape_markup(host));
  html += fmt::format("<p class=\"meta\">{} to {} · {} snapshots{}</p>\n</header>\n",
                      full_time(span.from_ns), full_time(snaps.back().time_ns), snaps.size(),
                      in.source.empty() ? "" : " · source: " + model::escape_markup(in.source));
  html +=
      "<nav><a href=\"#resources\">Resources</a><a href=\"#alerts\">Alerts</a>"
      "<a href=\"#patterns\">Patterns</a><a href=\"#forecasts\">Forecasts</a>"
      "<a href=\"#recommendations\">Recommendations</a><a href=\"#tuning\">Tuning</a>"
      "<a href=\"#profile\">CPU profile</a></nav>\n";
  html += fmt::format(
      "<section id=\"summary\">\n<h2>Summary</h2>\n<p>{} alert(s) from analytics, {} threshold "
      "bottleneck span(s).</p>\n",
      in.alerts.size(), thresholds.size());
  // Data quality: damaged or skipped recording data is never silent.
  if (!in.data_warnings.empty()) {
    html += fmt::format(
        "<div class=\"data-quality\"><p><strong>Data quality:</strong> {} damaged or skipped "
        "part(s) of the recording; the charts have gaps there.</p>\n<ul>\n",
        in.data_warnings.size());
    for (const auto& w : in.data_warnings) html += "<li>" + model::escape_markup(w) + "</li>\n";
    html += "</ul></div>\n";
  }
  html += "</section>\n";
  html += "<section id=\"resources\">\n<h2>Resources</h2>\n";
  html += chart_figure(cpu, span, findings, "cpu");
  html += chart_figure(mem, span, findings, "memory");
  html += chart_figure(psi, span, findings, "psi");
  html += chart_figure(disks, span, findings, "disk");
  html += chart_figure(net, span, findings, "network");
  html += chart_figure(cgroups, span, findings, "cgroup");
  html += "</section>\n";
  html += alerts_section(findings, span);
  html += notes_section("patterns", "Detected patterns", in.patterns);
  html += forecasts_section(in);
  html += notes_section("recommendations", "Recommendations", in.recommendations);
  html += notes_section("tuning", "Tuning history", in.tuning);
  html += notes_section("profile", "CPU profile (recorded stacks)", in.profile);
  html += "<footer class=\"meta\"><p>Generated by kpulse report.</p></footer>\n</body>\n</html>\n";
  return html;
}

}  // namespace kpulse::report
