// Loads BPF object files and attaches the named tracing programs of each,
// holding them until SIGINT/SIGTERM: how bench/run measures another
// revision's programs (bench/overhead/build_objects.sh compiles them) side
// by side with this build's, without that revision's userspace.
//
//   kpulse_object_attach OBJECT.o:PROG[,PROG...] [OBJECT.o:PROG...]
//
// Other programs of an object are not loaded; const volatile knobs keep
// their compiled-in defaults. Prints each attached program's name.
#include <csignal>
#include <cstdio>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <bpf/libbpf.h>

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// Opens, loads and attaches one "object:prog,prog" argument; null on failure.
bpf_object* attach_object(const std::string& arg, std::vector<bpf_link*>& links) {
  auto colon = arg.rfind(':');
  if (colon == std::string::npos) return nullptr;
  const std::string path = arg.substr(0, colon);
  const auto wanted = split(arg.substr(colon + 1), ',');
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    std::fprintf(stderr, "object_attach: cannot open %s\n", path.c_str());
    return nullptr;
  }
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    bool keep = false;
    for (const auto& w : wanted) keep |= w == bpf_program__name(prog);
    bpf_program__set_autoload(prog, keep);
  }
  if (bpf_object__load(obj) != 0) {
    std::fprintf(stderr, "object_attach: cannot load %s\n", path.c_str());
    bpf_object__close(obj);
    return nullptr;
  }
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog)) continue;
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      std::fprintf(stderr, "object_attach: cannot attach %s\n", bpf_program__name(prog));
      continue;
    }
    links.push_back(link);
    std::printf("%s\n", bpf_program__name(prog));
  }
  return obj;
}
}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OBJECT.o:PROG[,PROG...] ...\n", argv[0]);
    return 2;
  }
  std::vector<bpf_object*> objects;
  std::vector<bpf_link*> links;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    bpf_object* obj = attach_object(argv[i], links);
    if (!obj)
      status = 1;
    else
      objects.push_back(obj);
  }
  std::fflush(stdout);
  while (status == 0 && !g_stop) pause();
  for (auto* l : links) bpf_link__destroy(l);
  for (auto* o : objects) bpf_object__close(o);
  return status;
}
