// kpulse verify's comparisons on readings built by hand.
#include <gtest/gtest.h>

#include "verify/checks.h"

namespace kpulse::verify {
namespace {

model::Snapshot host_retransmits(double delta) {
  model::Snapshot s;
  model::Component host;
  host.kind = model::ComponentKind::Host;
  host.id = "host";
  host.set_counter(model::MetricId::TcpRetransmits, delta, delta);
  s.components.push_back(host);
  return s;
}

const CheckResult& retransmits(const std::vector<CheckResult>& results) {
  const CheckResult* c = find(results, "tcp.retransmits", "host");
  if (!c) throw std::runtime_error("tcp.retransmits was not compared");
  return *c;
}

// Why: RetransSegs was summed over the namespaces listed at each reading, so
// a namespace made or removed mid-interval added or took away its whole
// history (another test's namespace, a container starting).
TEST(VerifyChecks, RetransmitsCountEachNamespaceOwnIncrease) {
  Readings r;
  // Namespace 2 held 5,000 retransmits and is removed during the interval;
  // namespace 1 retransmits 40 segments.
  for (KernelCounters* k : {&r.before_start, &r.after_start})
    k->retrans_segs = {{1, 1000}, {2, 5000}};
  for (KernelCounters* k : {&r.before_end, &r.after_end}) k->retrans_segs = {{1, 1040}};
  auto results = compare(r, host_retransmits(40));
  EXPECT_EQ(retransmits(results).kernel, 40);
  EXPECT_EQ(retransmits(results).status, Status::Pass);

  // Namespace 3 is made during the interval and retransmits 7: from 0.
  for (KernelCounters* k : {&r.before_end, &r.after_end}) k->retrans_segs = {{1, 1040}, {3, 7}};
  EXPECT_EQ(retransmits(compare(r, host_retransmits(47))).kernel, 47);
}

}  // namespace
}  // namespace kpulse::verify
