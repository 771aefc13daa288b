// The signal half of platform.h: the unblock and kill signals, and the parent-death signal.
#include "../platform.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
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

// ---- async-signal-safe process-tree kill (for the parent-death signal) ----
// Only raw syscalls, stack buffers and a static pid array: the handler may interrupt malloc.

int g_death_sig = 0;
constexpr int kMaxTree = 4096;
pid_t g_tree[kMaxTree];
int g_tree_size = 0;

// Writes "/proc/<a>/task[/<b>/children]" into buf without snprintf (not async-signal-safe).
char* AppendNum(char* p, long n) {
  char tmp[24];
  int len = 0;
  do {
    tmp[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  while (len > 0) *p++ = tmp[--len];
  return p;
}

char* AppendStr(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}

void CollectChildrenOf(pid_t pid, pid_t tid);

// Every task of pid: the names in /proc/<pid>/task, read with getdents64.
void CollectTree(pid_t pid) {
  char path[64];
  char* p = AppendStr(path, "/proc/");
  p = AppendNum(p, pid);
  p = AppendStr(p, "/task");
  *p = '\0';
  const int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd < 0) return;
  alignas(8) char buf[4096];
  for (;;) {
    const long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      // struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
      const unsigned short reclen = *reinterpret_cast<unsigned short*>(buf + off + 16);
      const char* name = buf + off + 19;
      if (name[0] >= '0' && name[0] <= '9') {
        long tid = 0;
        for (const char* c = name; *c >= '0' && *c <= '9'; c++) tid = tid * 10 + (*c - '0');
        CollectChildrenOf(pid, static_cast<pid_t>(tid));
      }
      off += reclen;
    }
  }
  syscall(SYS_close, fd);
}

void CollectChildrenOf(pid_t pid, pid_t tid) {
  char path[96];
  char* p = AppendStr(path, "/proc/");
  p = AppendNum(p, pid);
  p = AppendStr(p, "/task/");
  p = AppendNum(p, tid);
  p = AppendStr(p, "/children");
  *p = '\0';
  const int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (fd < 0) return;
  char buf[2048];
  const long n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return;
  long child = 0;
  bool in_number = false;
  for (long i = 0; i <= n; i++) {
    const char c = i < n ? buf[i] : ' ';
    if (c >= '0' && c <= '9') {
      child = child * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      if (g_tree_size < kMaxTree) {
        syscall(SYS_kill, static_cast<pid_t>(child), SIGSTOP);  // cannot fork any more
        g_tree[g_tree_size++] = static_cast<pid_t>(child);
        CollectTree(static_cast<pid_t>(child));
      }
      child = 0;
      in_number = false;
    }
  }
}

// The parent-death signal is sent each time this process is reparented, not once: when the thread
// that started us exits and a sibling thread of the same parent adopts us, and again for every
// further thread. A multi-threaded parent (Node has several threads) that is SIGKILLed therefore
// sends several signals, which (real-time signals queue) run this handler on several of our
// threads at once. Two guards: act only once the adopter is another process (the parent process
// is gone, not just one of its threads), and only once (two handlers sharing g_tree would reset
// the list one of them is killing from, and leave a SIGSTOPped child alive).
pid_t g_parent = 0;                  // written once, before prctl arms the signal
std::atomic<bool> g_descendants{false};  // lock-free: read by the handler
std::atomic_flag g_dying = ATOMIC_FLAG_INIT;  // always lock-free: async-signal-safe

void OnParentDeath(int) {
  if (static_cast<pid_t>(syscall(SYS_getppid)) == g_parent) return;
  if (g_dying.test_and_set()) return;
  const pid_t self = static_cast<pid_t>(syscall(SYS_getpid));
  if (g_descendants.load()) {
    g_tree_size = 0;
    CollectTree(self);
    for (int i = 0; i < g_tree_size; i++) syscall(SYS_kill, g_tree[i], SIGKILL);
  }
  syscall(SYS_kill, self, SIGKILL);
}

}  // namespace

bool DieWithParent(bool descendants) {
  // A later call may widen to descendants, never narrow: some caller asked for them.
  if (descendants) g_descendants.store(true);
  static std::once_flag once;
  static bool armed = false;
  std::call_once(once, [] {
    g_death_sig = InstallFree(SIGRTMIN + 6, OnParentDeath);
    if (g_death_sig == 0) return;
    g_parent = getppid();
    armed = prctl(PR_SET_PDEATHSIG, g_death_sig) == 0;
  });
  if (!armed) return false;
  // The parent may have died between the getppid above and prctl: no signal comes then. (Whether
  // it died before the first call cannot be told: a parent of pid 1 is a legitimate parent in a
  // container whose init is the test runner.)
  if (getppid() != g_parent) OnParentDeath(g_death_sig);
  return true;
}

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
