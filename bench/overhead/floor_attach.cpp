// Attaches the empty floor programs (floor.bpf.c) and holds them until
// SIGINT/SIGTERM. Hooks this kernel lacks (block_io_start before 6.5) are
// skipped, so each floor program that attached is reported on stdout. The
// cgroup_skb ones attach to the cgroup2 root, as kpulse's do.
//
// Usage: kpulse_floor_attach [HOOK...]. With hooks named (a tracepoint, e.g.
// sched_switch, or cgroup_skb/egress), only their floor programs attach: a
// floor on a hook nobody measured still runs on every event and adds to the
// workload's CPU time (bench/run passes the hooks kpulse and the tools use).
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include <bpf/libbpf.h>

#include "kpulse_floor.skel.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

bool is_cgroup_skb(const bpf_program* prog) {
  return std::string(bpf_program__section_name(prog)).rfind("cgroup_skb/", 0) == 0;
}

// The hook a floor program runs on, as named on the command line.
std::string hook_of(const bpf_program* prog) {
  std::string section = bpf_program__section_name(prog);
  if (is_cgroup_skb(prog)) return section;
  return section.substr(sizeof("tp_btf/") - 1);
}

// The cgroup2 mount, where kpulse attaches its cgroup_skb programs.
std::string cgroup2_mount() {
  std::ifstream mounts("/proc/mounts");
  std::string device, dir, type, rest;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest))
    if (type == "cgroup2") return dir;
  return {};
}
}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> wanted(argv + 1, argv + argc);  // empty: every hook
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  kpulse_floor* skel = kpulse_floor::open();
  if (!skel) {
    std::fprintf(stderr, "floor_attach: cannot open the floor object\n");
    return 1;
  }
  // A program whose hook is missing would fail the whole load: disable it.
  bpf_program* prog;
  const std::string cgroup2 = cgroup2_mount();
  bpf_object__for_each_program(prog, skel->obj) {
    std::string section = bpf_program__section_name(prog);
    bool usable = is_cgroup_skb(prog)
                      ? !cgroup2.empty()
                      : libbpf_find_vmlinux_btf_id(section.c_str() + sizeof("tp_btf/") - 1,
                                                   BPF_TRACE_RAW_TP) >= 0;
    bool chosen = wanted.empty() || wanted.count(hook_of(prog)) > 0;
    if (!usable || !chosen) bpf_program__set_autoload(prog, false);
  }
  if (kpulse_floor::load(skel) != 0) {
    std::fprintf(stderr, "floor_attach: load failed (root and BTF needed)\n");
    kpulse_floor::destroy(skel);
    return 1;
  }
  int cgroup_fd = cgroup2.empty() ? -1 : ::open(cgroup2.c_str(), O_RDONLY | O_DIRECTORY);
  bpf_object__for_each_program(prog, skel->obj) {
    if (!bpf_program__autoload(prog)) continue;
    bpf_link* link = is_cgroup_skb(prog) ? bpf_program__attach_cgroup(prog, cgroup_fd)
                                         : bpf_program__attach(prog);
    if (link) std::printf("%s\n", bpf_program__name(prog));
  }
  if (cgroup_fd >= 0) ::close(cgroup_fd);
  std::fflush(stdout);
  while (!g_stop) pause();
  kpulse_floor::destroy(skel);
  return 0;
}
