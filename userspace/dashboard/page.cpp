#include "dashboard/page.h"

#include "report/svg_chart.h"

namespace kpulse::dashboard {
namespace {

// dashboard/page.html as bytes (written at configure time), NUL-terminated.
constexpr unsigned char kPage[] = {
#include "dashboard/page_html.inc"
};

// Where the report's chart stylesheet goes into the page.
constexpr std::string_view kChartCssMark = "/*CHART_CSS*/";

}  // namespace

const std::string& page_html() {
  static const std::string page = [] {
    std::string p(reinterpret_cast<const char*>(kPage));
    if (const auto at = p.find(kChartCssMark); at != std::string::npos)
      p.replace(at, kChartCssMark.size(), report::chart_css());
    return p;
  }();
  return page;
}

}  // namespace kpulse::dashboard
