// Commands that read files or directories a user names drop kpulse's
// privileges first (daemon/capabilities.h): a setcap'd kpulse must not read
// for a user what the user could not read.
#pragma once

namespace kpulse::cli {

// For commands that need no privilege: drops them for good. Throws
// std::runtime_error when that fails.
void drop_privileges_for_user_files();

}  // namespace kpulse::cli
