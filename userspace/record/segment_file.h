// The on-disk layout of one segment file (docs/recording.md):
//   file header: "KPULSREC", u32 format version, u32 length, FileHeader
//                protobuf, u32 CRC32 of everything before it
//   blocks:      40-byte block header (magic "KPBK", stored and raw length,
//                codec, frame count, first and last time, payload CRC32,
//                header CRC32), then the compressed payload
// The block headers are the time index: scanning them costs one small read
// per block, and a header that fails its checksum is resynced by searching
// for the next magic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "record/format.h"

namespace kpulse::record {

inline constexpr size_t kBlockHeaderSize = 40;

struct SegmentHeader {
  uint32_t version = kFormatVersion;
  Tier tier = Tier::Full;
  int64_t day_start_ns = 0;
  std::string hostname;
};

struct BlockInfo {
  uint64_t offset = 0;  // of the block header
  uint32_t stored_len = 0;
  uint32_t raw_len = 0;
  Codec codec = Codec::None;
  uint32_t frames = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  uint32_t payload_crc = 0;
  [[nodiscard]] uint64_t end() const { return offset + kBlockHeaderSize + stored_len; }
};

struct SegmentScan {
  SegmentHeader header;
  uint64_t header_end = 0;
  std::vector<BlockInfo> blocks;  // in file order
  uint64_t valid_end = 0;         // end of the last block with a valid header
  bool header_damaged = false;    // blocks found by resynchronising from offset 0
  std::vector<std::string> warnings;
};

std::string encode_segment_header(const SegmentHeader& h);
// The sealed block (header + compressed payload) for an uncompressed payload.
std::string seal_block(const std::string& raw, Codec codec, int level, uint32_t frames,
                       int64_t first_ns, int64_t last_ns);
// Throws std::runtime_error when the file cannot be read, is not a recording
// (no valid file header and no valid block) or has a valid header of a
// version newer than this build reads. A damaged file header is a warning:
// the blocks are found by resynchronising on their magic and checksums.
SegmentScan scan_segment(const std::string& path);
// The same on an open descriptor (the writer's, opened without following
// symbolic links); `path` only names the file in messages.
SegmentScan scan_segment_fd(int fd, const std::string& path);
// The uncompressed payload; throws std::runtime_error on a checksum
// mismatch, short read or decompression failure.
std::string read_block(int fd, const BlockInfo& b);

// Payload framing: varint length + bytes.
void append_delimited(std::string& out, const std::string& msg);
// Returns false at the end; throws on a truncated record.
bool next_delimited(const std::string& in, size_t& pos, std::string& msg);

}  // namespace kpulse::record
