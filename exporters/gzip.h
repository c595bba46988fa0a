// gzip (RFC 1952) compression for OTLP/HTTP bodies, via zlib.
#pragma once

#include <string>
#include <string_view>

namespace kpulse::exporters {

// Throws std::runtime_error if zlib fails (only on allocation failure).
std::string gzip_compress(std::string_view data);
// For tests: the inverse. Throws std::runtime_error on corrupt input.
std::string gzip_decompress(std::string_view data);

}  // namespace kpulse::exporters
