// Attaches the empty floor programs (floor.bpf.c) and holds them until
// SIGINT/SIGTERM. Hooks this kernel lacks (block_io_start before 6.5) are
// skipped, so each floor program that attached is reported on stdout.
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "kpulse_floor.skel.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}
}  // namespace

int main() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  kpulse_floor* skel = kpulse_floor::open();
  if (!skel) {
    std::fprintf(stderr, "floor_attach: cannot open the floor object\n");
    return 1;
  }
  // A program whose hook is missing would fail the whole load: disable it.
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel->obj) {
    const char* tp = bpf_program__section_name(prog) + sizeof("tp_btf/") - 1;
    if (libbpf_find_vmlinux_btf_id(tp, BPF_TRACE_RAW_TP) < 0)
      bpf_program__set_autoload(prog, false);
  }
  if (kpulse_floor::load(skel) != 0) {
    std::fprintf(stderr, "floor_attach: load failed (root and BTF needed)\n");
    kpulse_floor::destroy(skel);
    return 1;
  }
  bpf_object__for_each_program(prog, skel->obj) {
    if (!bpf_program__autoload(prog)) continue;
    if (bpf_program__attach(prog)) std::printf("%s\n", bpf_program__name(prog));
  }
  std::fflush(stdout);
  while (!g_stop) pause();
  kpulse_floor::destroy(skel);
  return 0;
}
