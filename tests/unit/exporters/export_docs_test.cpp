// docs/exporters.md lists every exported metric; the list is generated from
// the catalog, and this test fails when the document is out of date.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "exporters/export_names.h"
#include "model/catalog_markdown.h"
#include "model/metric_catalog.h"
#include "peer_process.h"

namespace kpulse::exporters {
namespace {

TEST(ExportDocs, GeneratedTableMatchesTheCatalog) {
  const std::string doc = testing::read_file(std::string(KPULSE_SOURCE_DIR) + "/docs/exporters.md");
  const size_t b = doc.find(kGeneratedBegin), e = doc.find(kGeneratedEnd);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  const std::string embedded =
      doc.substr(b + std::strlen(kGeneratedBegin) + 1, e - b - std::strlen(kGeneratedBegin) - 1);
  EXPECT_EQ(embedded, exported_metrics_markdown())
      << "docs/exporters.md is stale: run build/exporters/kpulse_export_names --update "
         "docs/exporters.md";
}

// One row per metric kpulse collects. The retired ones (sched.oncpu_time and
// sched.switches.*, which no probe has set since the sched group was rebuilt)
// were listed here and in the README though never reported.
TEST(ExportDocs, OneRowPerCollectedMetricAndNoneForARetiredOne) {
  const std::string table = exported_metrics_markdown();
  const std::string catalog = model::catalog_markdown();
  size_t collected = 0;
  for (const auto& m : model::all_metrics()) {
    const std::string row = "| `" + std::string(m.name) + "` |";
    if (model::retired(m.id)) {
      EXPECT_EQ(table.find(row), std::string::npos) << m.name;
      EXPECT_EQ(catalog.find(row), std::string::npos) << m.name;
      continue;
    }
    ++collected;
    EXPECT_NE(table.find(row), std::string::npos) << m.name;
    EXPECT_NE(catalog.find(row), std::string::npos) << m.name;
  }
  EXPECT_EQ(size_t(std::count(table.begin(), table.end(), '\n')), collected + 2);
  EXPECT_EQ(model::metric_count() - collected, 3u);
}

}  // namespace
}  // namespace kpulse::exporters
