// The one formatter: a value and its catalog unit become text, compact for
// table cells and full for sentences, so no reader prints "0.9337ratio".
#include "model/format.h"
#include "model/snapshot.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::model {
namespace {

TEST(Format, RatiosArePercentagesInBothWidths) {
  EXPECT_EQ(format(0.9337, Unit::Ratio), "93%");
  EXPECT_EQ(format(0.9337, Unit::Ratio, TextWidth::Compact), "93.4%");
  EXPECT_EQ(format(2.5, Unit::Ratio, TextWidth::Compact), "250%");
}

TEST(Format, SecondsCarryTheirUnit) {
  EXPECT_EQ(format(0.05, Unit::Seconds), "50.0 ms");
  EXPECT_EQ(format(0.0004, Unit::Seconds), "400 us");
  EXPECT_EQ(format(2.5, Unit::Seconds), "2.50 s");
  EXPECT_EQ(format(0.05, Unit::Seconds, TextWidth::Compact), "50ms");
  EXPECT_EQ(format(303, Unit::Seconds, TextWidth::Compact), "5m03s");
}

TEST(Format, BytesInBinaryUnits) {
  EXPECT_EQ(format(512, Unit::Bytes), "512 B");
  EXPECT_EQ(format(1.5 * 1024 * 1024, Unit::Bytes), "1.5 MiB");
  EXPECT_EQ(format(3.2 * (1ull << 30), Unit::Bytes), "3.2 GiB");
  EXPECT_EQ(format(1.5 * 1024 * 1024, Unit::Bytes, TextWidth::Compact), "1.5M");
  EXPECT_EQ(format(1023.7, Unit::Bytes, TextWidth::Compact), "1.0K");
}

TEST(Format, CountsNeverUseAnExponent) {
  EXPECT_EQ(format(1.5, Unit::Count), "1.5");
  EXPECT_EQ(format(1234, Unit::Count), "1234");
  EXPECT_EQ(format(12'000, Unit::Count, TextWidth::Compact), "12k");
}

TEST(Format, RatesAddPerSecond) {
  EXPECT_EQ(format(3.2, per_second(Unit::Count)), "3.2/s");
  EXPECT_EQ(format(1536, per_second(Unit::Bytes), TextWidth::Compact), "1.5K/s");
  EXPECT_EQ(format(2.0 * 1024 * 1024, per_second(Unit::Bytes)), "2 MiB/s");
}

TEST(Format, AbsentValuesAreADash) {
  EXPECT_EQ(format(NAN, Unit::Ratio), "-");
  EXPECT_EQ(format(NAN, per_second(Unit::Bytes), TextWidth::Compact), "-");
}

TEST(Format, CatalogMetricsReadAsTheirUnitAndRate) {
  EXPECT_EQ(quantity_of(MetricId::TcpTxBytes), per_second(Unit::Bytes));
  EXPECT_EQ(quantity_of(MetricId::PsiCpuSomeAvg10), Quantity{Unit::Ratio});
  EXPECT_EQ(unit_label(per_second(Unit::Bytes)), "bytes/s");
  EXPECT_EQ(unit_label(per_second(Unit::Count)), "/s");
  EXPECT_EQ(unit_label(Quantity{Unit::Ratio}), "ratio");
  EXPECT_EQ(unit_label(Quantity{Unit::Seconds}), "s");
}

TEST(Reading, GaugeValueOrCounterRate) {
  Component c;
  c.set_gauge(MetricId::MemUsed, 100);
  c.set_counter(MetricId::TcpTxBytes, 1000, 40);
  EXPECT_EQ(c.reading(MetricId::MemUsed, 2), 100);
  EXPECT_EQ(c.reading(MetricId::TcpTxBytes, 2), 20);
  EXPECT_TRUE(std::isnan(c.reading(MetricId::TcpTxBytes, 0)));
  EXPECT_TRUE(std::isnan(c.reading(MetricId::TcpRxBytes, 2)));
}

}  // namespace
}  // namespace kpulse::model
