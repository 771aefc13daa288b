// The thread half of platform.h on Linux.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "../platform.h"

namespace ht {

pid_t Gettid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

bool IsMainThread() { return Gettid() == getpid(); }

bool ThreadExists(pid_t tid) {
  const std::string dir = "/proc/self/task/" + std::to_string(tid);
  return access(dir.c_str(), F_OK) == 0;
}

void RaiseThreadPriority() {
  // On Linux a tid names one thread for setpriority. Needs CAP_SYS_NICE; without it the default
  // priority stays.
  setpriority(PRIO_PROCESS, static_cast<id_t>(Gettid()), -10);
}

int64_t ThreadCpuNs(pid_t tid) {
  // The clock id glibc's pthread_getcpuclockid() builds (Linux: the per-thread CPUCLOCK_SCHED
  // clock, "~tid << 3 | 6"), made from the kernel tid instead of a pthread_t: a thread that has
  // exited then gives EINVAL, not undefined behaviour. Unsigned arithmetic: no negative shift.
  const clockid_t clock = static_cast<clockid_t>((~static_cast<uint32_t>(tid) << 3) | 6u);
  timespec t;
  if (clock_gettime(clock, &t) != 0) return -1;
  return static_cast<int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

}  // namespace ht
