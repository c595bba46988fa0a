// The one ownership rule the config, the recording directory and the
// tuner's journal share.
#include "trust/owner_rule.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace kpulse::trust {
namespace {

struct stat owned_by(uid_t uid, mode_t mode) {
  struct stat st {};
  st.st_uid = uid;
  st.st_mode = mode;
  return st;
}

TEST(OwnerRule, RootOrThisUserWithNoOtherWriterIsTrusted) {
  EXPECT_EQ(why_untrusted(owned_by(0, S_IFREG | 0644)), "");
  EXPECT_EQ(why_untrusted(owned_by(::geteuid(), S_IFDIR | 0750)), "");
  EXPECT_EQ(why_untrusted(owned_by(::geteuid(), S_IFREG | 0600)), "");
}

TEST(OwnerRule, AnotherOwnerIsNamedWithWhoWouldDo) {
  const uid_t other = ::geteuid() == 65534 ? 65533 : 65534;
  EXPECT_EQ(why_untrusted(owned_by(other, S_IFREG | 0600)),
            "owned by uid " + std::to_string(other) + ", not by root or uid " +
                std::to_string(::geteuid()));
}

TEST(OwnerRule, AGroupOrOtherWriterIsNamedWithTheModeAndTheMend) {
  EXPECT_EQ(why_untrusted(owned_by(0, S_IFREG | 0666)),
            "writable by group or others (mode 0666); chmod go-w it");
  EXPECT_EQ(why_untrusted(owned_by(0, S_IFDIR | 01777)),
            "writable by group or others (mode 1777); chmod go-w it");
  EXPECT_NE(why_untrusted(owned_by(0, S_IFREG | 0620)), "");
}

}  // namespace
}  // namespace kpulse::trust
