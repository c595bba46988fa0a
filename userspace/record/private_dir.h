// Directories and files the root daemon writes: created with fixed modes
// whatever the umask, refused when another user could plant files in them,
// and opened without following symbolic links, so nobody who can write in
// the directory can make the daemon overwrite a file elsewhere.
#pragma once

#include <filesystem>
#include <string>

namespace kpulse::record {

// Creates `dir` (and missing parents) with mode 0750, or checks the existing
// one. Throws std::runtime_error naming the directory and the reason when it
// is not a directory, is owned by neither root nor the effective user, or is
// writable by group or others; std::system_error (a runtime_error) when the
// system refuses (EACCES, EROFS...).
void ensure_private_dir(const std::filesystem::path& dir);

// Opens (creating with mode 0640) a regular file for writing without
// following a symbolic link and refusing hard links to it. Returns the file
// descriptor or -1 with `error` set ("…: is a symbolic link (refused)") and
// errno (ELOOP for a symbolic link, EMLINK for a special file or a hard
// link).
int open_private_file(const std::filesystem::path& path, std::string& error);

// Why open_private_file would refuse `path` as it stands, without opening
// or creating it: "" when it is absent or a plain file of its own, else the
// same message open_private_file gives ("…: is a symbolic link (refused)").
std::string why_not_private_file(const std::filesystem::path& path);

}  // namespace kpulse::record
