// Decodes `kpulse profile --format pprof` output with protoc-generated code
// from proto/pprof_profile.proto: an independent reader of the hand encoding.
#pragma once

#include <zlib.h>

#include <stdexcept>
#include <string>

#include "pprof_profile.pb.h"

namespace kpulse::testing {

inline std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

inline perftools::profiles::Profile read_pprof(const std::string& gzipped) {
  perftools::profiles::Profile p;
  if (!p.ParseFromString(gunzip(gzipped))) throw std::runtime_error("not a profile.proto");
  return p;
}

}  // namespace kpulse::testing
