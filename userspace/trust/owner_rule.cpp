#include "trust/owner_rule.h"

#include <unistd.h>

#include <fmt/format.h>

namespace kpulse::trust {

std::string why_untrusted(const struct stat& st) {
  const uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me)
    return fmt::format("owned by uid {}, not by root or uid {}", st.st_uid, me);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fmt::format("writable by group or others (mode {:04o}); chmod go-w it",
                       st.st_mode & 07777);
  return {};
}

}  // namespace kpulse::trust
