#include "cli/version_info.h"

#include <bpf/libbpf.h>

#include "probes/kernel_features.h"

#ifndef KPULSE_GIT_DESCRIBE
#define KPULSE_GIT_DESCRIBE "unknown"
#endif

namespace kpulse::cli {

std::string version_text() {
  std::string out =
      std::string("kpulse ") + KPULSE_VERSION + " (git " + KPULSE_GIT_DESCRIBE + ")\n";
  out += std::string("libbpf ") + libbpf_version_string() + "\n";
  probes::KernelFeatures features;
  std::string summary;
  // The first word of each answer ("yes", "no", a mount point) keeps it one line.
  for (const auto& [name, value] : features.describe()) {
    if (name == "kernel") continue;
    std::string word = value.substr(0, value.find(' '));
    if (!summary.empty()) summary += ", ";
    summary.append(name).append(" ").append(word);
  }
  out += "kernel " + features.kernel_release() + ": " + summary + "\n";
  const std::string missing = probes::missing_bpf_privileges();
  out += "privileges: " + (missing.empty() ? std::string("BPF allowed") : missing) + "\n";
  return out;
}

}  // namespace kpulse::cli
