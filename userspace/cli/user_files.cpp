#include "cli/user_files.h"

#include <stdexcept>
#include <string>

#include "daemon/capabilities.h"

namespace kpulse::cli {

void drop_privileges_for_user_files() {
  const std::string why = daemon::drop_privileges_for_user_files();
  if (!why.empty()) throw std::runtime_error("cannot drop privileges before reading: " + why);
}

}  // namespace kpulse::cli
