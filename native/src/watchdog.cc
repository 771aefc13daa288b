#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "interrupt.h"
#include "proc.h"
#include "registry.h"
#include "signals.h"

extern char** environ;

namespace ht {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kProgramLimitNs = 10'000'000'000;  // onStuck program before a kill: 10 s

// Heap-allocated and never destroyed: the watchdog thread may be waiting on it when the process
// exits, and destroying a condition variable with a waiter blocks exit.
std::condition_variable* g_cv = new std::condition_variable();
bool g_started = false;          // (mu)
// onStuck programs started with kill 'none', not reaped yet: the watchdog reaps them when it wakes
// (libuv waits only for the children it started itself).
std::vector<pid_t>* g_programs = new std::vector<pid_t>();  // (mu)
int64_t g_wait_until = kNever;   // (mu) what the watchdog sleeps until

std::string StuckReportJson(const Arm* a, int64_t now) {
  const ThreadState* ts = a->ts;
  std::string j = "{\"label\":" + JsonString(std::string(a->label, a->label_len));
  j += ",\"pid\":" + std::to_string(getpid());
  j += ",\"tid\":" + std::to_string(ts->tid);
  j += ",\"generation\":" + std::to_string(ts->generation);
  j += ",\"timeoutMs\":" + std::to_string((a->deadline_ns - a->armed_ns) / 1e6);
  j += ",\"elapsedMs\":" + std::to_string((now - a->armed_ns) / 1e6);
  j += ",\"busyInJavaScript\":" + std::string(a->busy_outside ? "true" : "false");
  j += ",\"diagnosis\":" + DiagnoseJson(getpid(), ts->tid);
  j += ",\"unblock\":" + (a->unblock.empty() ? std::string("null") : a->unblock);
  j += ",\"action\":" + JsonString(a->plan.kill_process ? "kill-process" : "report");
  return j + "}";
}

void WriteReport(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  FILE* f = fopen(tmp.c_str(), "w");
  if (f == nullptr) return;
  const bool ok = fwrite(json.data(), 1, json.size(), f) == json.size();
  if (fclose(f) == 0 && ok) rename(tmp.c_str(), path.c_str());
}

// Starts the onStuck program, no shell: its arguments (each ended by a NUL byte), then the report.
// The mask is reset: a program must not inherit signals this thread happens to block.
pid_t StartProgram(const std::string& exec, const std::string& json) {
  // A malformed list (not ended by NUL) would make the split below run past the end.
  if (exec.empty() || exec.back() != '\0') return -1;
  std::string args = exec;  // the pointers below point into these copies
  std::string report = json;
  std::vector<char*> argv;
  for (size_t i = 0; i < args.size(); i = args.find('\0', i) + 1) argv.push_back(&args[i]);
  argv.push_back(&report[0]);
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  // Node opens its standard streams close-on-exec: the program would get none (Node then puts
  // /dev/null there). It gets copies, dup2'ed into place in the child, which clears the flag
  // (dup2 onto the same number would not, before glibc 2.29). The copies themselves are
  // close-on-exec, and closed here after the spawn.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int copies[3] = {-1, -1, -1};
  for (int fd = 0; fd < 3; fd++) {
    copies[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copies[fd] >= 0) posix_spawn_file_actions_adddup2(&actions, copies[fd], fd);
  }
  pid_t pid = -1;
  // environ is read without Node's environment lock (not reachable from an addon): a worker
  // thread setting process.env at this very moment is the one case not covered.
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  for (int fd : copies)
    if (fd >= 0) close(fd);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// Waits (polling: this thread must not block in a signal-driven wait) until the program exits or
// `limit_ns` passed, and reaps it.
void AwaitProgram(pid_t pid, int64_t limit_ns) {
  const int64_t until = NowNs() + limit_ns;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    if (NowNs() >= until) return;
    usleep(5000);
  }
}

void ReapPrograms() {
  auto& v = *g_programs;
  for (size_t i = 0; i < v.size();) {
    int status = 0;
    const pid_t r = waitpid(v[i], &status, WNOHANG);
    if (r == v[i] || (r < 0 && errno == ECHILD)) {
      v[i] = v.back();
      v.pop_back();
    } else {
      i++;
    }
  }
}

// Appends the thread's stuck log (what it has not appended yet) to its file. Under g_mu: JS swaps
// buffers under it, so log_data stays valid while we copy.
void WriteLog(ThreadState* ts) {
  if (ts->log_data == nullptr || ts->log_path.empty()) return;
  const int32_t used = __atomic_load_n(reinterpret_cast<int32_t*>(ts->log_data), __ATOMIC_ACQUIRE);
  if (used < 0 || static_cast<size_t>(used) + 8 > ts->log_capacity) return;  // not ours to trust
  if (static_cast<size_t>(used) <= ts->log_written) return;
  const int fd = open(ts->log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const char* p = ts->log_data + 8 + ts->log_written;
  size_t left = static_cast<size_t>(used) - ts->log_written;
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  close(fd);
  ts->log_written = static_cast<size_t>(used) - left;
}

// Deadline passed: ask the thread to stop at its next JS safe point, and probe its event loop so
// that an idle thread (a promise waiting for nothing) is not mistaken for a stuck one.
void Fire(Arm* a, int64_t now) {
  a->phase = Phase::kFired;
  a->fired_ns = now;
  a->next_step_ns = a->deadline_ns + a->unblock_after_ns;
  a->window_cpu_ns = ThreadCpuNs(a->ts->tid);
  a->fired_interrupts = a->ts->interrupts_entered.load();
  RequestArmInterrupt(a);
  ProbeLoop(a->ts, a->id);
}

// Neither the interrupt nor the loop probe ran since the deadline, and the thread did have a CPU:
// less than half the window's worth of CPU time, outside any syscall, means it was waiting for a
// CPU (a loaded machine: the host or other processes took it), not running native code.
bool Starved(const Arm* a) {
  const int64_t cpu = ThreadCpuNs(a->ts->tid);
  if (cpu < 0 || a->window_cpu_ns < 0) return false;
  if (cpu - a->window_cpu_ns >= a->unblock_after_ns / 2) return false;  // it ran: native code
  return OutsideSyscall(getpid(), a->ts->tid);  // in a syscall: blocked there
}

// Neither the interrupt nor the loop probe ran: the thread is inside a native call. Name what it
// is blocked in, then unblock it: EINTR for read-type syscalls, and its child processes killed
// for execSync/spawnSync. The interrupt requested at the deadline is still pending and runs as
// soon as the thread is back in JavaScript.
void Unblock(Arm* a) {
  a->phase = Phase::kUnblocked;
  a->next_step_ns = a->deadline_ns + std::max(a->stuck_after_ns, a->unblock_after_ns + 1);
  if (a->probe_ran || !a->ts->alive) return;  // idle in its loop: JS settles it
  // Our interrupt ran; or an interrupt callback was entered since the deadline and waits for g_mu
  // (which we hold; /proc would show that thread in a futex syscall): either way the thread runs
  // V8 code, not native code.
  auto ran_js = [a] { return a->interrupt_ran || a->ts->interrupts_entered.load() != a->fired_interrupts; };
  // Running JS since the deadline and never back in its event loop: busy, not idle. Confirm, so
  // that a loop in the async part may now be stopped in its microtask.
  if (ran_js()) return RequestArmInterrupt(a, true);
  const bool starved = Starved(a);
  if (ran_js()) return RequestArmInterrupt(a, true);  // it entered one while we read /proc
  if (starved && NowNs() < a->deadline_ns + a->stuck_after_ns) {
    // Not native: its interrupt is still pending because it has not had a CPU. Calling it native
    // would signal a thread that is about to run JavaScript, and an async part marked native is
    // never stopped in place (seen: loops stopped only by a worker kill on a loaded 2-core CI
    // machine). Look again one window later; past stuckAfter it counts as stuck all the same.
    a->phase = Phase::kFired;
    a->next_step_ns = NowNs() + a->unblock_after_ns;
    a->window_cpu_ns = ThreadCpuNs(a->ts->tid);
    return;
  }
  a->native = true;
  a->diagnosis = DiagnoseJson(getpid(), a->ts->tid);
  const bool signalled = SignalThread(a->ts->tid);
  // Only what the guarded function started: children older than the arm (a server started by
  // a beforeAll, say) are left alone.
  const std::string killed = KillDescendants(getpid(), a->ts->tid, a->armed_ns);
  a->unblock = std::string("{\"signalled\":") + (signalled ? "true" : "false") +
               ",\"killed\":" + killed + "}";
}

// Still not back, long after the deadline: report, and carry out the onStuck plan.
void Stuck(Arm* a, int64_t now) {
  a->phase = Phase::kStuck;
  a->next_step_ns = kNever;
  if (a->probe_ran) return;  // it was idle in its loop after the deadline: its JS settles it
  a->stuck = true;
  // First the log, then the report: whoever the report wakes reads the log.
  WriteLog(a->ts);
  const std::string json = StuckReportJson(a, now);
  for (ThreadState* other : *g_threads) {
    if (other == a->ts || !other->alive || other->stuck_listener == nullptr) continue;
    auto* copy = new std::string(json);
    if (napi_call_threadsafe_function(other->stuck_listener, copy, napi_tsfn_nonblocking) !=
        napi_ok)
      delete copy;
  }
  if (!a->plan.report_path.empty()) WriteReport(a->plan.report_path, json);
  if (!a->plan.exec.empty()) {
    const pid_t program = StartProgram(a->plan.exec, json);
    if (program > 0 && a->plan.kill_process) {
      // It runs before the kill (it reports what the kill would otherwise leave unsaid): wait for
      // it, holding g_mu (other threads' guarded calls wait too; the whole process dies next).
      // A program still running after 10 s dies with the rest.
      AwaitProgram(program, kProgramLimitNs);
    } else if (program > 0) {
      g_programs->push_back(program);
    }
  }
  if (a->plan.kill_process) {
    KillDescendants(getpid(), 0);
    kill(getpid(), SIGKILL);
  }
}

void WatchdogMain() {
  // Deadlines are only as punctual as this thread's wake-ups. On a loaded machine a higher
  // priority helps; it needs CAP_SYS_NICE, and without it we simply keep the default.
  setpriority(PRIO_PROCESS, static_cast<id_t>(Gettid()), -10);
  std::unique_lock<std::mutex> lock(*g_mu);
  for (;;) {
    if (!g_programs->empty()) ReapPrograms();
    const int64_t now = NowNs();
    int64_t next = kNever;
    // Copy: Stuck() may not change g_watched, but keep the loop obviously safe.
    std::vector<Arm*> watched = *g_watched;
    for (Arm* a : watched) {
      if (a->next_step_ns <= now) {
        switch (a->phase) {
          case Phase::kArmed: Fire(a, now); break;
          case Phase::kFired: Unblock(a); break;
          case Phase::kUnblocked: Stuck(a, now); break;
          case Phase::kStuck: break;
        }
      }
      if (a->phase != Phase::kStuck) next = std::min(next, a->next_step_ns);
    }
    g_wait_until = next;
    if (next == kNever) {
      g_cv->wait(lock);
    } else {
      g_cv->wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)));
    }
  }
}

}  // namespace

void WatchdogArmed(int64_t deadline_ns) {
  if (!g_started) {
    g_started = true;
    g_wait_until = deadline_ns;
    std::thread(WatchdogMain).detach();
    return;
  }
  if (deadline_ns < g_wait_until) {
    g_wait_until = deadline_ns;
    g_cv->notify_one();
  }
}

void WatchdogFireNow(Arm* a) {
  a->deadline_ns = NowNs();
  a->next_step_ns = a->deadline_ns;
  WatchdogArmed(a->deadline_ns);
  g_cv->notify_one();
}

}  // namespace ht
