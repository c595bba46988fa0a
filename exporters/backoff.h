// When to retry a failed export: which failures are worth retrying, how long
// to wait (exponential backoff with jitter), and what the receiver asked for.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace kpulse::exporters {

struct RetryPolicy {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  double multiplier = 2.0;
  int max_attempts = 6;  // including the first try
  // A Retry-After longer than this is cut to it, so a confused receiver cannot
  // park a batch for hours while newer data is dropped behind it.
  std::chrono::milliseconds max_retry_after{60000};
};

// Delay before retry number `retry` (0 for the first retry): initial *
// multiplier^retry capped at max_backoff, scaled by a jitter factor in
// [0.5, 1.0] taken from `jitter01` in [0, 1) so concurrent senders spread out.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter01);

// The wait a receiver asked for: delta-seconds or an HTTP-date relative to
// `now`. nullopt when absent or unparseable; dates in the past give 0.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The OTLP/HTTP spec's retryable responses: 429, 502, 503, 504.
bool is_retryable_status(long http_status);

}  // namespace kpulse::exporters
