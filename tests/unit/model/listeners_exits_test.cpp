// Listeners and exited tasks are catalog components: the typed records the
// collectors fill round-trip through them, and the snapshot's JSON lists them
// as components with catalog metrics.
#include "model/listeners_exits.h"

#include <gtest/gtest.h>

#include "model/snapshot_json.h"

namespace kpulse::model {
namespace {

Listener a_listener() {
  return {.netns = 4026531840,
          .address = "[::]:443",
          .backlog = 4096,
          .queued = 3,
          .overflows = 12,
          .overflows_delta = 2,
          .pid = 812,
          .comm = "nginx",
          .cgroup = "/system.slice/nginx.service"};
}

ExitedTask an_exit() {
  return {.pid = 4243,
          .tgid = 4242,
          .comm = "cc1",
          .cgroup = "/user.slice",
          .lifetime_s = 0.31,
          .exit_time_s = 1'765'000'000.25,
          .cpu_time_s = 0.29,
          .major_faults = 1,
          .minor_faults = 120,
          .read_bytes = 4096,
          .write_bytes = 8192,
          .exit_code = 768};
}

TEST(ListenersExits, RecordsRoundTripThroughComponents) {
  EXPECT_EQ(listener_of(to_component(a_listener())), a_listener());
  EXPECT_EQ(exited_task_of(to_component(an_exit())), an_exit());
  Listener unowned = a_listener();
  unowned.pid = 0;
  unowned.comm.clear();
  unowned.cgroup.clear();
  EXPECT_EQ(listener_of(to_component(unowned)), unowned);
}

// A recording made before kpulse kept the exit time reads as unknown (0),
// and an unknown exit time is left out of the component, not sent as 1970.
TEST(ListenersExits, AnUnknownExitTimeIsNoSample) {
  ExitedTask old = an_exit();
  old.exit_time_s = 0;
  const Component c = to_component(old);
  EXPECT_EQ(c.find(MetricId::ExitedExitTime), nullptr);
  EXPECT_EQ(exited_task_of(c), old);
  EXPECT_EQ(to_component(an_exit()).value(MetricId::ExitedExitTime), 1'765'000'000.25);
}

TEST(ListenersExits, ComponentsCarryCatalogMetricsOfTheirScope) {
  const Component l = to_component(a_listener());
  EXPECT_EQ(l.kind, ComponentKind::Listener);
  EXPECT_EQ(l.id, "4026531840/[::]:443");
  EXPECT_EQ(listener_address(l), "[::]:443");
  EXPECT_EQ(l.value(MetricId::TcpListenBacklog), 4096);
  EXPECT_EQ(l.delta(MetricId::TcpListenOverflows), 2);
  const Component e = to_component(an_exit());
  EXPECT_EQ(e.kind, ComponentKind::Exited);
  EXPECT_EQ(e.value(MetricId::ExitedCpuTime), 0.29);
  for (const Component* c : {&l, &e})
    for (const auto& s : c->samples)
      EXPECT_TRUE(info(s.id).scopes & scope_bit(c->kind)) << info(s.id).name;
  EXPECT_TRUE(is_event_kind(ComponentKind::Exited));
  EXPECT_FALSE(is_event_kind(ComponentKind::Listener));
  EXPECT_EQ(component_kind_from_string("listener"), ComponentKind::Listener);
  EXPECT_EQ(component_kind_from_string("exited"), ComponentKind::Exited);
}

TEST(ListenersExits, SnapshotViewsAndJsonListThemAsComponents) {
  Snapshot s;
  s.components = {to_component(a_listener()), to_component(an_exit())};
  ASSERT_EQ(listeners(s).size(), 1u);
  ASSERT_EQ(exited_tasks(s).size(), 1u);
  EXPECT_EQ(exited_tasks(s)[0].comm, "cc1");
  const nlohmann::json j = to_json(s);
  EXPECT_FALSE(j.contains("listeners"));
  EXPECT_FALSE(j.contains("exited"));
  ASSERT_EQ(j["components"].size(), 2u);
  EXPECT_EQ(j["components"][0]["kind"], "listener");
  EXPECT_EQ(j["components"][0]["metrics"]["tcp.listen_queued"]["value"], 3);
  EXPECT_EQ(j["components"][1]["kind"], "exited");
  EXPECT_EQ(j["components"][1]["metrics"]["exited.exit_code"]["value"], 768);
}

}  // namespace
}  // namespace kpulse::model
