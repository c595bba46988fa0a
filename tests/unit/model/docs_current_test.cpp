// The README's metrics reference must be what the catalog says.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "model/catalog_markdown.h"

namespace kpulse::model {
namespace {

TEST(Docs, ReadmeMetricsTableMatchesTheCatalog) {
  std::ifstream in(std::string(KPULSE_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const std::string begin = "<!-- metrics:begin -->\n", end = "<!-- metrics:end -->";
  auto b = readme.find(begin), e = readme.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), catalog_markdown())
      << "regenerate with: scripts/update-docs.sh";
}

}  // namespace
}  // namespace kpulse::model
