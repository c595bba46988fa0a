#include "tui/widgets.h"

#include <gtest/gtest.h>

#include "model/snapshot.h"
#include "tui/format.h"

namespace kpulse::tui {
namespace {

TEST(Sparkline, NewestValueAtTheRightEdgeScaledToTheMaximum) {
  const Glyphs& g = ascii_glyphs();  // levels " ._-=+*#"
  std::vector<double> v{0, 7, 14};
  EXPECT_EQ(sparkline(v, 5, g), "   =#");
  std::vector<double> long_series{1, 1, 1, 1, 2, 2};
  EXPECT_EQ(sparkline(long_series, 3, g), "=##") << "only the last `width` values";
}

TEST(Meter, FillsInProportionAndKeepsItsWidth) {
  const Glyphs& g = ascii_glyphs();
  Line l;
  append_meter(l, 0.5, "50.0%", 20, g);
  EXPECT_EQ(l.text(), "[|||||||      50.0%]");
  EXPECT_EQ(l.width(), 20);
  Line u;
  append_meter(u, 0.36, "x", 12, unicode_glyphs());
  EXPECT_EQ(u.width(), 12);
  EXPECT_NE(u.text().find("███"), std::string::npos);
  EXPECT_NE(u.text().find("▎"), std::string::npos) << "partial cell in eighths";
}

TEST(Meter, ClampsOutOfRangeRatios) {
  Line over, nan;
  append_meter(over, 3.0, "", 10, ascii_glyphs());
  EXPECT_EQ(over.text(), "[||||||||]");
  append_meter(nan, model::kNaN, "-", 10, ascii_glyphs());
  EXPECT_EQ(nan.text(), "[       -]");
}

TEST(HistogramStrip, OneGlyphPerSlotScaledToTheFullest) {
  model::Log2Histogram h;
  for (int i = 0; i < 7; ++i) h.record(1 << 11);
  h.record(1 << 13);
  EXPECT_EQ(histogram_strip(h, 10, 14, ascii_glyphs()), " # . ");
}

TEST(FormatMetric, UsesTheCatalogUnitAndRatesForCounters) {
  EXPECT_EQ(format_metric(model::MetricId::ProcRss, 3 * 1024 * 1024), "3.0M");
  EXPECT_EQ(format_metric(model::MetricId::TcpTxBytes, 1536), "1.5K/s");
  EXPECT_EQ(format_metric(model::MetricId::CpuUtilization, 0.5), "50.0%");
  EXPECT_EQ(format_metric(model::MetricId::SchedOncpuTime, 0.25), "250ms/s");
}

}  // namespace
}  // namespace kpulse::tui
