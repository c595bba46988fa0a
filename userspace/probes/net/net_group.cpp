#include "probes/net/net_group.h"

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "collect/cgroup_resolver.h"
#include "probes/group_drain.h"
#include "probes/net/net_samples.h"

namespace kpulse::probes {
namespace {

using model::Component;
using model::MetricId;

class NetGroup final : public ProbeGroup {
 public:
  [[nodiscard]] const char* name() const override { return "net"; }
  [[nodiscard]] GroupSpec spec(const MapLimits& limits, bool) const override {
    return net_spec(limits);
  }
  [[nodiscard]] const char* cgroup_map() const override { return "kp_net_cgroups"; }

  void start(const LoadedGroup& g, const KernelFeatures& features) override {
    features_ = &features;
    auto counts_udp = [&g](const char* hook) {
      const Candidate* c = g.attached(hook);
      return c && c->counts_udp;
    };
    udp_ = {counts_udp(kNetSendHook), counts_udp(kNetRecvHook)};
  }

  void drain(const LoadedGroup& g, BpfTotals& t) override {
    t.net = true;
    drain_cgroup_map(g.map_fd("kp_net_cgroups"), t.cgroups, &CgroupTotals::net,
                     &CgroupTotals::has_net);
    drain_map(g.map_fd("kp_listeners"), sizeof(kp_listener_key), sizeof(kp_listener_val), false,
              [&](const void* k, const void* v) {
                ListenerTotals l;
                std::memcpy(&l.key, k, sizeof l.key);
                std::memcpy(&l.val, v, sizeof l.val);
                t.listeners.push_back(l);
              });
    drain_percpu<__u32, __u64>(g.map_fd("kp_drop_reasons"),
                               [&](const __u32& reason, const std::vector<const __u64*>& per_cpu) {
                                 if (reason >= t.drop_reasons.size()) return;
                                 for (const auto* v : per_cpu) t.drop_reasons[reason] += *v;
                               });
  }

  void add_cgroup_samples(Component& c, const CgroupTotals& t,
                          const CgroupTotals& d) const override {
    if (t.has_net) add_net_samples(c, t.net, d.net, udp_);
  }
  void add_host_samples(Component& host, const CgroupTotals& t,
                        const CgroupTotals& d) const override {
    add_net_samples(host, t.net, d.net, udp_);
  }

  void add_samples(const BpfTotals& t, SampleContext& out) override {
    if (out.host) add_drops(t, *out.host);
    add_listener_overflows(t, out);
  }

 private:
  // The host's drops, labelled by reason.
  void add_drops(const BpfTotals& t, Component& host) {
    for (uint32_t r = 0; r < t.drop_reasons.size(); ++r) {
      uint64_t total = t.drop_reasons[r];
      if (total == 0) continue;
      uint64_t d = total >= prev_drops_[r] ? total - prev_drops_[r] : total;
      host.labeled.push_back(
          {MetricId::NetDrops, drop_reason_label(*features_, r), double(total), double(d)});
    }
    prev_drops_ = t.drop_reasons;
  }

  // Overflows BPF saw per listener, onto the listeners sock_diag listed (a
  // listener it did not list, closed since, is added).
  void add_listener_overflows(const BpfTotals& t, SampleContext& out) {
    std::vector<model::Listener>& listeners = out.listeners;
    std::unordered_map<std::string, size_t> by_id;
    for (size_t i = 0; i < listeners.size(); ++i)
      by_id[listener_id(listeners[i].netns, listeners[i].address)] = i;
    std::unordered_map<std::string, double> overflow_now;
    for (const auto& l : t.listeners) {
      std::string address = listener_address(l.key);
      std::string id = listener_id(l.key.netns, address);
      model::Listener* ml;
      if (auto it = by_id.find(id); it != by_id.end()) {
        ml = &listeners[it->second];
      } else {
        listeners.push_back({});
        ml = &listeners.back();
        ml->netns = l.key.netns;
        ml->address = address;
        ml->backlog = l.val.backlog;
      }
      ml->overflows = double(l.val.overflows);
      auto prev = prev_overflows_.find(id);
      double before = prev != prev_overflows_.end() ? prev->second : 0;
      ml->overflows_delta = ml->overflows >= before ? ml->overflows - before : ml->overflows;
      if (auto p = out.cgroups.path(l.val.cgroup_id)) ml->cgroup = *p;
      overflow_now[id] = ml->overflows;
    }
    prev_overflows_.swap(overflow_now);
  }

  const KernelFeatures* features_ = nullptr;
  UdpCounted udp_;
  std::array<uint64_t, KP_DROP_REASONS> prev_drops_{};
  std::unordered_map<std::string, double> prev_overflows_;  // by listener id
};

}  // namespace

std::unique_ptr<ProbeGroup> make_net_group() {
  return std::make_unique<NetGroup>();
}

}  // namespace kpulse::probes
