// Who may use the HTTP listener (/metrics and the dashboard): anyone when no
// token is set; otherwise only requests carrying the token, either as
// "Authorization: Bearer TOKEN" (scripts, Prometheus' bearer_token_file) or
// as the password of HTTP basic auth for `basic_user` (browsers prompt for
// it). Comparison takes the same time whatever the guess.
#pragma once

#include <string>
#include <string_view>

namespace kpulse::exporters {

struct HttpAccess {
  std::string token;  // "": no authentication
  std::string basic_user = "kpulse";

  [[nodiscard]] bool required() const { return !token.empty(); }
  // `authorization`: the request's Authorization header ("" when absent).
  [[nodiscard]] bool allows(std::string_view authorization) const;
};

// The realm browsers show in their password prompt.
inline constexpr const char* kHttpAuthRealm = "kpulse";

// Reads a token from a file (first line, surrounding whitespace dropped).
// Throws std::runtime_error naming the file when it is missing, unreadable,
// empty or readable by others than its owner and group.
std::string read_token_file(const std::string& path);

// RFC 4648 base64 decoding; *ok says whether `in` was well formed.
std::string base64_decode(std::string_view in, bool* ok);

}  // namespace kpulse::exporters
