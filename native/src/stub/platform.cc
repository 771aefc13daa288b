// platform.h where there is no Linux implementation: every capability reports itself missing
// (no diagnosis, no unblocking, no thread kill, no parent-death signal). A thread that stays
// stuck is then reported without a diagnosis, and the onStuck plan is still carried out.
#include <pthread.h>

#include <cstdint>

#include "../platform.h"

namespace ht {

// No kernel thread id to be had portably: a per-thread number, unique within the process.
pid_t Gettid() {
  static_assert(sizeof(uintptr_t) >= sizeof(pid_t), "pthread ids fit");
  return static_cast<pid_t>(reinterpret_cast<uintptr_t>(pthread_self()) & 0x7fffffff);
}
bool IsMainThread() {
#if defined(__APPLE__)
  return pthread_main_np() != 0;
#else
  return false;  // unknown: killThread() then refuses no thread for being the main one
#endif
}
bool ThreadExists(pid_t) { return false; }
void RaiseThreadPriority() {}
int64_t ThreadCpuNs(pid_t) { return -1; }
std::string DiagnoseJson(pid_t pid, pid_t tid) {
  return "{\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"children\":[]}";
}
bool OutsideSyscall(pid_t, pid_t) { return false; }
std::vector<pid_t> Descendants(pid_t, pid_t) { return {}; }
std::string KillDescendants(pid_t, pid_t, int64_t) { return "[]"; }
bool InstallSignals() { return false; }
int UnblockSignal() { return 0; }
bool SignalThread(pid_t) { return false; }
bool KillThreadNow(pid_t) { return false; }
bool DieWithParent(bool) { return false; }

}  // namespace ht
