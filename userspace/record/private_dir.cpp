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
    error = err == ELOOP ? fmt::format("{}: is a symbolic link (refused)", path.string())
                         : fmt::format("{}: {}", path.string(), std::strerror(err));
    errno = err;
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    error = fmt::format("{}: not a plain file of its own (special file or hard link; refused)",
                        path.string());
    ::close(fd);
    errno = EMLINK;
    return -1;
  }
  return fd;
}

}  // namespace kpulse::record
