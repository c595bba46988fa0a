// Decodes `kpulse profile --format pprof` output with protoc-generated code
// from proto/pprof_profile.proto: an independent reader of the hand encoding.
#pragma once

#include <stdexcept>
#include <string>

#include "exporters/gzip.h"
#include "pprof_profile.pb.h"

namespace kpulse::testing {

inline perftools::profiles::Profile read_pprof(const std::string& gzipped) {
  perftools::profiles::Profile p;
  if (!p.ParseFromString(exporters::gzip_decompress(gzipped)))
    throw std::runtime_error("not a profile.proto");
  return p;
}

}  // namespace kpulse::testing
