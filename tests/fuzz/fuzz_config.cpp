// libFuzzer target: the daemon's TOML configuration parser. Any input must
// parse or throw ConfigError, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    kpulse::config::parse_config(std::string_view(reinterpret_cast<const char*>(data), size),
                                 "fuzz.toml");
  } catch (const kpulse::config::ConfigError&) {
  }
  return 0;
}
