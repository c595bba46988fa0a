// The synthetic scale of bench/run's userspace section: one process whose
// THREADS threads are spread over the threaded cgroups BASE/cg0..cg<N-1>
// (made by the caller), each sleeping and waking every 5 s like an idle pool
// thread, so every cgroup has live tasks. Prints "ready" once every thread
// sits in its cgroup, then waits until killed.
//
//   kpulse_scale_threads BASE NCGROUPS THREADS
//
// C++ rather than Python threads: 10,000 Python threads contend for the
// interpreter lock at every wakeup, which kept both CPUs of the benchmark host
// busy (the workload, not the engine, was then what was measured).
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Setup {
  std::string base;
  int ncgroups = 0;
  std::atomic<int> placed{0};
  std::atomic<int> failed{0};
};

struct ThreadArg {
  Setup* setup = nullptr;
  int index = 0;
};

void* pool_thread(void* p) {
  auto* arg = static_cast<ThreadArg*>(p);
  Setup& s = *arg->setup;
  {
    std::ofstream threads(s.base + "/cg" + std::to_string(arg->index % s.ncgroups) +
                          "/cgroup.threads");
    threads << syscall(SYS_gettid) << std::flush;
    (threads ? s.placed : s.failed).fetch_add(1);
  }
  // Spread the wakeups over the period, so they do not come in one burst.
  std::this_thread::sleep_for(std::chrono::milliseconds(arg->index * 7919L % 5000));
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(5));
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s BASE NCGROUPS THREADS\n", argv[0]);
    return 2;
  }
  static Setup setup;
  setup.base = argv[1];
  setup.ncgroups = std::atoi(argv[2]);
  const int nthreads = std::atoi(argv[3]);
  if (setup.ncgroups <= 0 || nthreads <= 0) return 2;
  {
    std::ofstream procs(setup.base + "/cgroup.procs");
    procs << getpid() << std::flush;
    if (!procs) {
      std::fprintf(stderr, "scale_threads: cannot join %s\n", setup.base.c_str());
      return 1;
    }
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{64} * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  static std::vector<ThreadArg> args(size_t(nthreads), ThreadArg{});
  for (int i = 0; i < nthreads; ++i) {
    args[size_t(i)] = {&setup, i};
    pthread_t t;
    if (pthread_create(&t, &attr, pool_thread, &args[size_t(i)]) != 0) {
      std::fprintf(stderr, "scale_threads: thread %d: cannot start\n", i);
      return 1;
    }
  }
  while (setup.placed.load() + setup.failed.load() < nthreads)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (setup.failed.load() > 0) {
    std::fprintf(stderr, "scale_threads: %d threads could not join their cgroup\n",
                 setup.failed.load());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) pause();
}
