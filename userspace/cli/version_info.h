// `kpulse --version`: what a bug report needs in one paste.
#pragma once

#include <string>

namespace kpulse::cli {

// "kpulse 0.1.0 (git v0.1.0-12-gabc1234)", the libbpf it runs with, and a
// one-line summary of the kernel features the probes depend on.
std::string version_text();

}  // namespace kpulse::cli
