// Field-wise arithmetic on the kernel's counter structs, done in place a
// counter at a time (every cgroup, every interval), and the pooled maps the
// drains build.
#include <gtest/gtest.h>

#include <cstring>

#include "probes/bpf_samples.h"
#include "probes/bpf_totals.h"
#include "probes/pooled_allocator.h"

namespace kpulse::probes {
namespace {

kp_sched_cgroup counting_from(uint64_t first) {
  kp_sched_cgroup s{};
  for (int i = 0; i < KP_HIST_SLOTS; ++i) s.runq_latency.slots[i] = first + i;
  s.runq_latency.count = first + 100;
  s.runq_latency.sum_ns = first + 101;
  s.long_ran_ns = first + 102;
  s.long_slices = first + 103;  // the last counter of the struct
  return s;
}

TEST(U64Fields, AddAndSubtractReachEveryCounterFirstToLast) {
  kp_sched_cgroup a = counting_from(1000);
  add_u64_fields(a, counting_from(1));
  EXPECT_EQ(a.runq_latency.slots[0], 1001u);
  EXPECT_EQ(a.runq_latency.slots[KP_HIST_SLOTS - 1], 1001u + 2 * (KP_HIST_SLOTS - 1));
  EXPECT_EQ(a.runq_latency.count, 1201u);
  EXPECT_EQ(a.long_slices, 1207u);
  subtract_u64_fields_into(a, counting_from(1));
  const kp_sched_cgroup back = counting_from(1000);
  EXPECT_EQ(0, std::memcmp(&a, &back, sizeof a));
}

TEST(U64Fields, SubtractSaturatesToTheNewerValueAndLeavesItsInputs) {
  const kp_sched_cgroup older = counting_from(50), newer = counting_from(10);  // a reset
  const kp_sched_cgroup d = subtract_u64_fields(newer, older);
  EXPECT_EQ(d.runq_latency.slots[3], 13u);  // newer's value, not a wrapped difference
  EXPECT_EQ(d.long_slices, 113u);
  EXPECT_EQ(newer.runq_latency.slots[3], 13u);
  EXPECT_EQ(older.runq_latency.slots[3], 53u);
  kp_sched_cgroup self = counting_from(7);
  add_u64_fields(self, self);  // the same object on both sides
  EXPECT_EQ(self.long_slices, 220u);
}

TEST(U64Fields, PooledMapsMoveAndKeepTheirEntries) {
  CgroupTotalsMap a;
  for (uint64_t id = 1; id <= 2000; ++id) {
    CgroupTotals& t = a[id];
    t.has_sched = true;
    t.sched = counting_from(id);
  }
  CgroupTotalsMap b = std::move(a);
  a = CgroupTotalsMap{};
  for (uint64_t id = 1; id <= 2000; ++id) a[id].cpus_held = uint32_t(id);  // reuses freed blocks
  b = std::move(a);
  ASSERT_EQ(b.size(), 2000u);
  EXPECT_EQ(b.at(1234).cpus_held, 1234u);
  EXPECT_FALSE(b.at(1234).has_sched);  // a fresh entry, whatever the block held before
  EXPECT_EQ(b.at(1234).sched.long_slices, 0u);
}

// Freed blocks come back only for their own size; arrays: the last two freed.
TEST(U64Fields, FreedBlocksAreReusedForTheirSizeOnly) {
  void* node = take_block(1480);
  give_block(node, 1480);
  EXPECT_EQ(take_block(1480), node);
  void* other = take_block(1488);
  EXPECT_NE(other, node);
  give_block(node, 1480);
  give_block(other, 1488);

  void* a = take_array(8192);
  void* b = take_array(16384);
  give_array(a, 8192);
  give_array(b, 16384);
  EXPECT_EQ(take_array(8192), a);
  EXPECT_EQ(take_array(16384), b);
  void* c = take_array(4096);  // none of that size kept
  EXPECT_NE(c, a);
  EXPECT_NE(c, b);
  give_array(a, 8192);
  give_array(b, 16384);
  give_array(c, 4096);  // evicts (frees) the oldest, a
  EXPECT_EQ(take_array(4096), c);
  EXPECT_EQ(take_array(16384), b);
  give_array(b, 16384);
  give_array(c, 4096);
}

}  // namespace
}  // namespace kpulse::probes
