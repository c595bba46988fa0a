#include "record/private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "trust/owner_rule.h"

namespace kpulse::record {
namespace {

constexpr mode_t kDirMode = 0750;

[[noreturn]] void throw_errno(const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), path.string());
}

void check_dir(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw_errno(dir);
  if (!S_ISDIR(st.st_mode))
    throw std::runtime_error(fmt::format("{}: not a directory", dir.string()));
  if (const std::string why = trust::why_untrusted(st); !why.empty())
    throw std::runtime_error(fmt::format("{}: refusing to write: {}", dir.string(), why));
}

std::string symlink_refused(const std::filesystem::path& path) {
  return fmt::format("{}: is a symbolic link (refused)", path.string());
}

std::string not_plain_refused(const std::filesystem::path& path) {
  return fmt::format("{}: not a plain file of its own (special file or hard link; refused)",
                     path.string());
}

}  // namespace

void ensure_private_dir(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir.lexically_normal()) {
    partial /= part;
    if (part.empty() || part == "/") continue;
    if (::mkdir(partial.c_str(), kDirMode) == 0) {
      // The umask may have taken bits away; the mode is fixed, not inherited.
      if (::chmod(partial.c_str(), kDirMode) != 0) throw_errno(partial);
    } else if (errno != EEXIST) {
      throw_errno(partial);
    }
  }
  check_dir(dir);
}

int open_private_file(const std::filesystem::path& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int err = errno;
    error = err == ELOOP ? symlink_refused(path)
                         : fmt::format("{}: {}", path.string(), std::strerror(err));
    errno = err;
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    error = not_plain_refused(path);
    ::close(fd);
    errno = EMLINK;
    return -1;
  }
  return fd;
}

std::string why_not_private_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // absent: created when first written
  if (S_ISLNK(st.st_mode)) return symlink_refused(path);
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) return not_plain_refused(path);
  return {};
}

}  // namespace kpulse::record
