#include "signals.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace ht {

namespace {

int g_unblock_sig = 0;
int g_kill_sig = 0;
std::atomic<pid_t> g_kill_tid{0};

void OnUnblockSignal(int) {
  // Nothing to do: being delivered without SA_RESTART is what makes the syscall return EINTR.
}

void OnKillSignal(int) {
  // Async-signal-safe: two raw syscalls. The thread vanishes; the kernel still clears its tid
  // futex, so pthread_join on it returns. Locks it held stay held (documented on killThread).
  if (static_cast<pid_t>(syscall(SYS_gettid)) == g_kill_tid.load()) syscall(SYS_exit, 0);
}

// A real-time signal nobody in this process handles yet, searched from SIGRTMIN+6 upwards.
int InstallFree(int from, void (*handler)(int)) {
  for (int sig = from; sig <= SIGRTMAX; sig++) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) != 0) continue;
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
    struct sigaction sa = {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // deliberately no SA_RESTART
    if (sigaction(sig, &sa, nullptr) == 0) return sig;
  }
  return 0;
}

}  // namespace

bool InstallSignals() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_unblock_sig = InstallFree(SIGRTMIN + 6, OnUnblockSignal);
    if (g_unblock_sig != 0) g_kill_sig = InstallFree(g_unblock_sig + 1, OnKillSignal);
  });
  return g_unblock_sig != 0 && g_kill_sig != 0;
}

int UnblockSignal() { return g_unblock_sig; }

bool SignalThread(pid_t tid) {
  if (g_unblock_sig == 0) return false;
  return syscall(SYS_tgkill, getpid(), tid, g_unblock_sig) == 0;
}

bool KillThreadNow(pid_t tid) {
  if (g_kill_sig == 0) return false;
  g_kill_tid.store(tid);
  return syscall(SYS_tgkill, getpid(), tid, g_kill_sig) == 0;
}

}  // namespace ht
