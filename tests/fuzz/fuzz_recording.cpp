// libFuzzer target: a recording segment as the readers see it: the file
// header (or its resynchronisation), the block index, each block's checksum
// and decompression, and the frame decoder.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "record/frame_codec.h"
#include "record/segment_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("kpulse-fuzz-segment", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 0) != 0) return 0;
  if (size > 0 && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  using namespace kpulse::record;
  SegmentScan scan;
  try {
    scan = scan_segment_fd(fd, "fuzz.kpr");
  } catch (const std::runtime_error&) {
    return 0;
  }
  for (const auto& b : scan.blocks) {
    try {
      const std::string raw = read_block(fd, b);
      FrameDecoder dec;
      size_t pos = 0;
      std::string msg;
      while (next_delimited(raw, pos, msg)) dec.decode(msg);
    } catch (const std::runtime_error&) {
    }
  }
  return 0;
}
