// Whether a file or directory may steer what root (or the service user)
// does: the configuration, the recording directory, the tuner's journal.
// The rule is sshd's for its own files: owned by root or by this effective
// user, and writable by nobody else.
#pragma once

#include <sys/stat.h>

#include <string>

namespace kpulse::trust {

// Why `st` (from stat or fstat) is not to be trusted, or "" when it is. The
// reason names what is wrong and how to mend it, e.g. "owned by uid 1000,
// not by root or uid 0" or "writable by group or others (mode 0666); chmod
// go-w it"; callers put the path and what they refuse to do in front.
std::string why_untrusted(const struct stat& st);

}  // namespace kpulse::trust
