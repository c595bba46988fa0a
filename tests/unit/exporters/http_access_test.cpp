#include "exporters/http_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace kpulse::exporters {
namespace {

// "kpulse:s3cret" and "other:s3cret" in base64.
constexpr const char* kGoodBasic = "Basic a3B1bHNlOnMzY3JldA==";
constexpr const char* kWrongUser = "Basic b3RoZXI6czNjcmV0";

TEST(HttpAccess, WithoutATokenEverythingIsAllowed) {
  HttpAccess open;
  EXPECT_FALSE(open.required());
  EXPECT_TRUE(open.allows(""));
  EXPECT_TRUE(open.allows("Bearer anything"));
}

TEST(HttpAccess, BearerAndBasicCarryTheToken) {
  HttpAccess a{"s3cret", "kpulse"};
  EXPECT_TRUE(a.allows("Bearer s3cret"));
  EXPECT_TRUE(a.allows("bearer  s3cret "));
  EXPECT_TRUE(a.allows(kGoodBasic));
  EXPECT_FALSE(a.allows(""));
  EXPECT_FALSE(a.allows("Bearer s3cre"));
  EXPECT_FALSE(a.allows("Bearer s3cretX"));
  EXPECT_FALSE(a.allows("Bearer "));
  EXPECT_FALSE(a.allows(kWrongUser));
  EXPECT_FALSE(a.allows("Basic !!!"));
  EXPECT_FALSE(a.allows("Token s3cret"));
}

TEST(HttpAccess, Base64DecodesAndRejectsGarbage) {
  bool ok = false;
  EXPECT_EQ(base64_decode("a3B1bHNlOnMzY3JldA==", &ok), "kpulse:s3cret");
  EXPECT_TRUE(ok);
  base64_decode("a3B1*", &ok);
  EXPECT_FALSE(ok);
  base64_decode("a=b=", &ok);
  EXPECT_FALSE(ok);
}

TEST(HttpAccess, TokenFileMustBePrivateAndNonEmpty) {
  const auto path =
      std::filesystem::temp_directory_path() / ("kpulse_token_" + std::to_string(getpid()));
  std::ofstream(path) << "  tok-123  \nsecond line\n";
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(read_token_file(path), "tok-123");
  ::chmod(path.c_str(), 0644);
  EXPECT_THROW(read_token_file(path), std::runtime_error);
  std::ofstream(path) << "\n";
  ::chmod(path.c_str(), 0600);
  EXPECT_THROW(read_token_file(path), std::runtime_error);
  std::filesystem::remove(path);
  EXPECT_THROW(read_token_file(path), std::runtime_error);
}

}  // namespace
}  // namespace kpulse::exporters
