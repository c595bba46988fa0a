#include "record/segment_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <bit>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "kpulse_recording.pb.h"

namespace kpulse::record {
namespace {

static_assert(std::endian::native == std::endian::little, "the format is little-endian");

constexpr char kFileMagic[8] = {'K', 'P', 'U', 'L', 'S', 'R', 'E', 'C'};
constexpr char kBlockMagic[4] = {'K', 'P', 'B', 'K'};
constexpr uint32_t kMaxBlockBytes = 512u << 20;

template <typename T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}
template <typename T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

uint32_t crc(const void* data, size_t n, uint32_t seed = 0) {
  return static_cast<uint32_t>(
      ::crc32(seed, static_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

bool read_exact(int fd, void* buf, size_t n, uint64_t offset) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

// Parses a block header at `p`; false when magic or header checksum fail.
bool parse_block_header(const char* p, uint64_t offset, BlockInfo& b) {
  if (std::memcmp(p, kBlockMagic, 4) != 0) return false;
  if (get<uint32_t>(p + 36) != crc(p, 36)) return false;
  b.offset = offset;
  b.stored_len = get<uint32_t>(p + 4);
  b.raw_len = get<uint32_t>(p + 8);
  b.codec = static_cast<Codec>(get<uint8_t>(p + 12));
  b.frames = get<uint16_t>(p + 14);
  b.first_ns = get<int64_t>(p + 16);
  b.last_ns = get<int64_t>(p + 24);
  b.payload_crc = get<uint32_t>(p + 32);
  return b.stored_len <= kMaxBlockBytes && b.raw_len <= kMaxBlockBytes;
}

// Version 1 header body: FileHeader protobuf.
SegmentHeader parse_header_v1(const std::string& body) {
  pb::FileHeader h;
  if (!h.ParseFromString(body)) throw std::runtime_error("file header does not parse");
  SegmentHeader out;
  out.version = 1;
  out.tier = static_cast<Tier>(h.tier());
  out.day_start_ns = h.day_start_ns();
  out.hostname = h.hostname();
  return out;
}

}  // namespace

std::string encode_segment_header(const SegmentHeader& h) {
  pb::FileHeader msg;
  msg.set_format_version(kFormatVersion);
  msg.set_tier(static_cast<uint32_t>(h.tier));
  msg.set_day_start_ns(h.day_start_ns);
  msg.set_hostname(h.hostname);
  msg.set_writer("kpulse");
  const std::string body = msg.SerializeAsString();
  std::string out(kFileMagic, sizeof(kFileMagic));
  put<uint32_t>(out, kFormatVersion);
  put<uint32_t>(out, static_cast<uint32_t>(body.size()));
  out += body;
  put<uint32_t>(out, crc(out.data(), out.size()));
  return out;
}

std::string seal_block(const std::string& raw, Codec codec, int level, uint32_t frames,
                       int64_t first_ns, int64_t last_ns) {
  std::string payload;
  switch (codec) {
    case Codec::None:
      payload = raw;
      break;
    case Codec::Zstd: {
      payload.resize(ZSTD_compressBound(raw.size()));
      size_t n = ZSTD_compress(payload.data(), payload.size(), raw.data(), raw.size(), level);
      if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
      payload.resize(n);
      break;
    }
    case Codec::Zlib: {
      uLongf n = compressBound(static_cast<uLong>(raw.size()));
      payload.resize(n);
      if (compress2(reinterpret_cast<Bytef*>(payload.data()), &n,
                    reinterpret_cast<const Bytef*>(raw.data()), raw.size(), level) != Z_OK)
        throw std::runtime_error("zlib compression failed");
      payload.resize(n);
      break;
    }
  }
  std::string out(kBlockMagic, 4);
  put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  put<uint32_t>(out, static_cast<uint32_t>(raw.size()));
  put<uint8_t>(out, static_cast<uint8_t>(codec));
  put<uint8_t>(out, 0);
  put<uint16_t>(out, static_cast<uint16_t>(frames));
  put<int64_t>(out, first_ns);
  put<int64_t>(out, last_ns);
  put<uint32_t>(out, crc(payload.data(), payload.size()));
  put<uint32_t>(out, crc(out.data(), out.size()));
  out += payload;
  return out;
}

namespace {

// The first block with a valid header at or after `from` (a header that fails
// its checksum is skipped byte by byte); false when there is none.
bool find_next_block(int fd, uint64_t from, uint64_t end, BlockInfo& b, uint64_t& at_out) {
  std::string chunk;
  // Chunks overlap by a header's length so none is missed at a boundary.
  for (uint64_t at = from; at + kBlockHeaderSize <= end;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(1 << 20, end - at));
    chunk.resize(n);
    if (!read_exact(fd, chunk.data(), n, at)) return false;
    for (size_t i = 0; i + kBlockHeaderSize <= n; ++i) {
      if (chunk[i] == 'K' && parse_block_header(chunk.data() + i, at + i, b) && b.end() <= end) {
        at_out = at + i;
        return true;
      }
    }
    if (at + n >= end) return false;
    at += n - (kBlockHeaderSize - 1);
  }
  return false;
}

// Reads the file header; false when it is damaged (bad magic, length or
// checksum). Throws for a valid header of a version this build cannot read.
bool read_file_header(int fd, uint64_t size, const std::string& path, SegmentScan& scan) {
  char fixed[16];
  if (size < 20 || !read_exact(fd, fixed, sizeof(fixed), 0) ||
      std::memcmp(fixed, kFileMagic, sizeof(kFileMagic)) != 0)
    return false;
  const uint32_t version = get<uint32_t>(fixed + 8);
  const uint32_t len = get<uint32_t>(fixed + 12);
  if (len > 1u << 20 || 16 + len + 4 > size) return false;
  std::string head(16 + len + 4, '\0');
  if (!read_exact(fd, head.data(), head.size(), 0) ||
      get<uint32_t>(head.data() + 16 + len) != crc(head.data(), 16 + len))
    return false;
  if (version == 0 || version > kFormatVersion)
    throw std::runtime_error(fmt::format("{}: format version {} (this kpulse reads up to {})", path,
                                         version, kFormatVersion));
  // Every version so far shares the fixed prefix; the body is per version.
  switch (version) {
    case 1:
    case 2:  // same header; frames carry listener and exited components
      scan.header = parse_header_v1(head.substr(16, len));
      scan.header.version = version;
      break;
  }
  scan.header_end = head.size();
  return true;
}

}  // namespace

SegmentScan scan_segment(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  return scan_segment_fd(fd, path);
}

SegmentScan scan_segment_fd(int fd, const std::string& path) {
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
  const uint64_t end = static_cast<uint64_t>(size);
  SegmentScan scan;
  uint64_t pos = 0;
  if (read_file_header(fd, end, path, scan)) {
    pos = scan.header_end;
  } else {
    // Every block is self-contained and checksummed: a damaged file header
    // loses only itself. Tier and day come from the file name then.
    BlockInfo b;
    uint64_t first = 0;
    if (!find_next_block(fd, 0, end, b, first))
      throw std::runtime_error(fmt::format("{}: not a kpulse recording segment", path));
    scan.header_damaged = true;
    scan.header_end = first;
    pos = first;
    scan.warnings.push_back(fmt::format(
        "{}: file header damaged ({} bytes skipped); blocks recovered by resynchronising", path,
        first));
  }
  scan.valid_end = pos;

  char hdr[kBlockHeaderSize];
  while (pos + kBlockHeaderSize <= end) {
    BlockInfo b;
    if (read_exact(fd, hdr, kBlockHeaderSize, pos) && parse_block_header(hdr, pos, b) &&
        b.end() <= end) {
      scan.blocks.push_back(b);
      pos = b.end();
      scan.valid_end = pos;
      continue;
    }
    // Torn or corrupt header: search forward for the next valid block.
    const uint64_t bad = pos;
    if (!find_next_block(fd, pos + 1, end, b, pos)) {
      scan.warnings.push_back(
          fmt::format("{}: offset {}: torn or corrupt data to the end of the file ({} bytes)", path,
                      bad, end - bad));
      pos = end;
      break;
    }
    scan.warnings.push_back(
        fmt::format("{}: offset {}: corrupt block skipped ({} bytes)", path, bad, pos - bad));
  }
  if (pos < end && pos + kBlockHeaderSize > end)
    scan.warnings.push_back(fmt::format(
        "{}: offset {}: torn block at the end of the file ({} bytes)", path, pos, end - pos));
  return scan;
}

std::string read_block(int fd, const BlockInfo& b) {
  std::string payload(b.stored_len, '\0');
  if (!read_exact(fd, payload.data(), payload.size(), b.offset + kBlockHeaderSize))
    throw std::runtime_error("short read");
  if (crc(payload.data(), payload.size()) != b.payload_crc)
    throw std::runtime_error("block checksum mismatch");
  switch (b.codec) {
    case Codec::None:
      return payload;
    case Codec::Zstd: {
      std::string raw(b.raw_len, '\0');
      size_t n = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
      if (ZSTD_isError(n) || n != raw.size()) throw std::runtime_error("zstd decompression failed");
      return raw;
    }
    case Codec::Zlib: {
      std::string raw(b.raw_len, '\0');
      uLongf n = b.raw_len;
      if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &n,
                     reinterpret_cast<const Bytef*>(payload.data()), payload.size()) != Z_OK ||
          n != b.raw_len)
        throw std::runtime_error("zlib decompression failed");
      return raw;
    }
  }
  throw std::runtime_error("unknown block codec");
}

void append_delimited(std::string& out, const std::string& msg) {
  uint64_t n = msg.size();
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
  out += msg;
}

bool next_delimited(const std::string& in, size_t& pos, std::string& msg) {
  if (pos >= in.size()) return false;
  uint64_t n = 0;
  int shift = 0;
  while (true) {
    if (pos >= in.size() || shift > 35) throw std::runtime_error("truncated frame length");
    const auto byte = static_cast<uint8_t>(in[pos++]);
    n |= uint64_t{byte & 0x7fu} << shift;
    if (!(byte & 0x80)) break;
    shift += 7;
  }
  if (n > in.size() - pos) throw std::runtime_error("truncated frame");
  msg.assign(in, pos, n);
  pos += n;
  return true;
}

}  // namespace kpulse::record
