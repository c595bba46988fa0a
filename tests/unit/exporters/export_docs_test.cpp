// docs/exporters.md lists every exported metric; the list is generated from
// the catalog, and this test fails when the document is out of date.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "exporters/export_names.h"
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

TEST(ExportDocs, OneRowPerCatalogMetric) {
  const std::string table = exported_metrics_markdown();
  EXPECT_EQ(size_t(std::count(table.begin(), table.end(), '\n')), model::metric_count() + 2);
  for (const auto& m : model::all_metrics())
    EXPECT_NE(table.find("| `" + std::string(m.name) + "` |"), std::string::npos) << m.name;
}

}  // namespace
}  // namespace kpulse::exporters
