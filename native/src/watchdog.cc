// The watchdog escalates each armed deadline in steps (registry.h's Phase): fire, unblock, stuck.
// It holds g_mu only to read and publish an arm's state: the steps' system work (/proc reads,
// signals to children, the report, an onStuck program) runs without it, with the arm marked busy
// so that it stays allocated meanwhile. No thread's arming or stopping waits for another's I/O.
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "interrupt.h"
#include "json.h"
#include "owners.h"
#include "platform.h"

extern char** environ;

namespace ht {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kProgramLimitNs = 10'000'000'000;  // an onStuck program, before the kill
constexpr int64_t kPollProgramNs = 5'000'000;        // how often a kill looks at its program

// Heap-allocated and never destroyed: the watchdog thread may be waiting on it when the process
// exits, and destroying a condition variable with a waiter blocks exit.
std::condition_variable* const g_cv = new std::condition_variable();
bool g_started GUARDED_BY(g_mu) = false;
int64_t g_wait_until GUARDED_BY(g_mu) = kNever;  // what the watchdog sleeps until

// The watchdog thread's own state, touched by no other thread.
// onStuck programs started with kill 'none', not reaped yet: reaped when the watchdog wakes
// (libuv waits only for the children it started itself).
std::vector<pid_t>* const g_programs = new std::vector<pid_t>();
// kill 'process' waiting for its onStuck program (0: none), and when it happens anyway.
pid_t g_kill_program = 0;
int64_t g_kill_at = 0;

// ---- the report and the onStuck plan (no lock: plain data in, files and processes out) ----

// What the stuck report needs, copied from the arm under g_mu.
struct StuckSnapshot {
  std::string label;
  pid_t tid = 0;
  uint64_t generation = 0;
  int64_t armed_ns = 0;
  int64_t deadline_ns = 0;
  bool busy_outside = false;
  bool busy_in_microtask = false;
  std::string unblock;
  std::string stack;
  bool kill_process = false;
  std::string log;       // stuck-log text not appended yet
  std::string log_path;
};

std::string StuckReportJson(const StuckSnapshot& s, int64_t now) {
  std::string j = "{\"label\":" + JsonString(s.label);
  j += ",\"pid\":" + std::to_string(getpid());
  j += ",\"tid\":" + std::to_string(s.tid);
  j += ",\"generation\":" + std::to_string(s.generation);
  j += ",\"timeoutMs\":" + std::to_string((s.deadline_ns - s.armed_ns) / 1e6);
  j += ",\"elapsedMs\":" + std::to_string((now - s.armed_ns) / 1e6);
  j += ",\"busyInJavaScript\":" + std::string(s.busy_outside ? "true" : "false");
  if (s.busy_outside) j += ",\"jsIn\":" + JsonString(s.busy_in_microtask ? "microtask" : "callback");
  if (!s.stack.empty()) j += ",\"stack\":" + JsonString(s.stack);
  j += ",\"diagnosis\":" + DiagnoseJson(getpid(), s.tid);
  j += ",\"unblock\":" + (s.unblock.empty() ? std::string("null") : s.unblock);
  j += ",\"action\":" + JsonString(s.kill_process ? "kill-process" : "report");
  return j + "}";
}

// Written to a temporary name, then renamed: a reader never sees half a report.
void WriteReport(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  File f(fopen(tmp.c_str(), "w"));
  if (f.get() == nullptr) return;
  const bool written = fwrite(json.data(), 1, json.size(), f.get()) == json.size();
  if (f.Close() && written) rename(tmp.c_str(), path.c_str());
}

// posix_spawn's attribute and file-action objects, destroyed with their scope.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};
struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

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
  SpawnAttr attr;
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr.attr, &none);
  posix_spawnattr_setflags(&attr.attr, POSIX_SPAWN_SETSIGMASK);
  // Node opens its standard streams close-on-exec: the program would get none (Node then puts
  // /dev/null there). It gets copies, dup2'ed into place in the child, which clears the flag
  // (dup2 onto the same number would not, before glibc 2.29). The copies themselves are
  // close-on-exec, and closed when this function returns.
  SpawnActions actions;
  Fd copies[3];
  for (int fd = 0; fd < 3; fd++) {
    copies[fd] = Fd(fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (copies[fd].ok()) posix_spawn_file_actions_adddup2(&actions.actions, copies[fd].get(), fd);
  }
  pid_t pid = -1;
  // environ is read without Node's environment lock (not reachable from an addon): a worker
  // thread setting process.env at this very moment is the one case not covered.
  const int rc = posix_spawnp(&pid, argv[0], &actions.actions, &attr.attr, argv.data(), environ);
  return rc == 0 ? pid : -1;
}

// Reaps the onStuck programs that have exited (waitpid with WNOHANG: returns at once).
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

// SIGKILLs every process below this one, then this one.
[[noreturn]] void KillProcess() {
  KillDescendants(getpid(), 0);
  kill(getpid(), SIGKILL);
  for (;;) pause();
}

// The kill that waits for the onStuck program started before it (the program reports what the
// kill would otherwise leave unsaid), at most until g_kill_at. Polled between the watchdog's
// other work: other threads' deadlines are still served while the program runs.
void PollPendingKill() {
  if (g_kill_program == 0) return;
  int status = 0;
  const pid_t r = waitpid(g_kill_program, &status, WNOHANG);
  if (r == g_kill_program || (r < 0 && errno != EINTR) || NowNs() >= g_kill_at) KillProcess();
}

void AppendLog(const std::string& path, const std::string& text) {
  if (text.empty()) return;
  Fd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.ok()) return;
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// ---- the steps ----

// The part of the thread's stuck log not appended yet, claimed as appended. JS swaps buffers
// under g_mu, so log_data stays valid while we copy.
std::string TakeLog(ThreadState* ts) REQUIRES(g_mu) {
  if (ts->log_data == nullptr || ts->log_path.empty()) return std::string();
  const int32_t used = __atomic_load_n(reinterpret_cast<int32_t*>(ts->log_data), __ATOMIC_ACQUIRE);
  if (used < 0 || static_cast<size_t>(used) + 8 > ts->log_capacity) return std::string();  // not ours to trust
  if (static_cast<size_t>(used) <= ts->log_written) return std::string();
  std::string text(ts->log_data + 8 + ts->log_written, static_cast<size_t>(used) - ts->log_written);
  ts->log_written = static_cast<size_t>(used);
  return text;
}

// Deadline passed: ask the thread to stop at its next JS safe point, and probe its event loop so
// that an idle thread (a promise waiting for nothing) is not mistaken for a stuck one.
void Fire(Arm* a, int64_t now) REQUIRES(g_mu) {
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
bool Starved(pid_t tid, int64_t window_cpu_ns, int64_t unblock_after_ns) {
  const int64_t cpu = ThreadCpuNs(tid);
  if (cpu < 0 || window_cpu_ns < 0) return false;
  if (cpu - window_cpu_ns >= unblock_after_ns / 2) return false;  // it ran: native code
  return OutsideSyscall(getpid(), tid);  // in a syscall: blocked there
}

// Our interrupt ran; or an interrupt callback was entered since the deadline (it may be waiting
// for g_mu; /proc would show that thread in a futex syscall): either way the thread runs V8
// code, not native code.
bool RanJs(const Arm* a) REQUIRES(g_mu) {
  return a->interrupt_ran || a->ts->interrupts_entered.load() != a->fired_interrupts;
}

// Ends the watchdog's work on an arm: FreeArm and StopInfo may go on.
void Release(Arm* a) REQUIRES(g_mu) {
  a->busy = false;
  g_not_busy->notify_all();
}

// What the unblock step needs, copied from the arm under g_mu.
struct UnblockJob {
  Arm* arm = nullptr;  // busy: stays allocated until the job releases it
  pid_t tid = 0;
  int64_t window_cpu_ns = -1;
  int64_t stuck_at_ns = 0;  // past this, a starved thread counts as stuck all the same
  bool ran_js = false;
};

// Starts another window of the unblock step: whether an interrupt runs, how much CPU the thread
// gets, from now on.
void NextWindow(Arm* a) REQUIRES(g_mu) {
  a->phase = Phase::kFired;
  a->next_step_ns = NowNs() + a->unblock_after_ns;
  a->interrupt_ran = false;
  a->fired_interrupts = a->ts->interrupts_entered.load();
  a->window_cpu_ns = ThreadCpuNs(a->ts->tid);
}

// The thread ran JavaScript in this window. Confirm, so that a loop in the async part may now be
// stopped in its microtask; and until stuckAfter, look again one window later: JavaScript that
// ran past the deadline may be inside a blocking call by then (a slow setup, then a read).
void SawJs(Arm* a) REQUIRES(g_mu) {
  RequestArmInterrupt(a, true);
  a->ran_js = true;
  if (NowNs() < a->deadline_ns + a->stuck_after_ns) NextWindow(a);
}

// The unblock step, part one: true when the thread may be in native code; the arm is then busy
// and `job` holds what part two needs.
bool UnblockBegin(Arm* a, UnblockJob* job) REQUIRES(g_mu) {
  a->phase = Phase::kUnblocked;
  // Never sooner than one window from now: an arm starved by another arm's loop comes back here
  // each window (interrupt.cc), its confirming interrupt must get to run before it is judged.
  a->next_step_ns = std::max(a->deadline_ns + std::max(a->stuck_after_ns, a->unblock_after_ns + 1),
                             NowNs() + a->unblock_after_ns);
  if (a->probe_ran || !a->ts->alive) return false;  // idle in its loop: JS settles it
  if (RanJs(a)) {
    SawJs(a);
    return false;
  }
  a->busy = true;
  *job = UnblockJob{a, a->ts->tid, a->window_cpu_ns, a->deadline_ns + a->stuck_after_ns, a->ran_js};
  return true;
}

// Part two, without g_mu held on entry: neither the interrupt nor the loop probe ran in this
// window, so the thread is inside a native call, unless it is waiting for a CPU or (having run
// JavaScript before) is on one now. Name what it is blocked in, then unblock it: EINTR for
// read-type syscalls, and its child processes killed for execSync/spawnSync. The interrupt
// requested at the deadline is still pending and runs as soon as the thread is back in JS.
void UnblockOutside(const UnblockJob& job) EXCLUDES(g_mu) {
  Arm* a = job.arm;
  const bool late = NowNs() >= job.stuck_at_ns;
  // On a CPU, outside any syscall, after it ran JavaScript: still JavaScript (our interrupt has
  // not reached it yet), never native code.
  const bool js_on_cpu = job.ran_js && OutsideSyscall(getpid(), job.tid);
  const bool starved = !js_on_cpu && Starved(job.tid, job.window_cpu_ns, a->unblock_after_ns);
  const bool native = !js_on_cpu && (!starved || late);
  std::string diagnosis;
  if (native) diagnosis = DiagnoseJson(getpid(), job.tid);
  bool signalled;
  {
    MutexLock lock(g_mu);
    if (RanJs(a)) {  // it entered an interrupt while we read /proc
      SawJs(a);
      return Release(a);
    }
    if (a->stopped || !a->ts->alive) return Release(a);
    if (!native) {
      if (late) {
        a->next_step_ns = NowNs();  // JavaScript on a CPU at stuckAfter: the stuck step, now
      } else {
        // Its interrupt is still pending because it has not had a CPU (or is on its way).
        // Calling it native would signal a thread that is about to run JavaScript, and an async
        // part marked native is never stopped in place.
        NextWindow(a);
      }
      return Release(a);
    }
    // Marked native before anything can unblock it: the thread, back from its call, reads this
    // to tell our doing from an ordinary exception.
    a->native = true;
    a->diagnosis = std::move(diagnosis);
    signalled = SignalThread(job.tid);
  }
  // Only what the guarded function started: children older than the arm (a server started by
  // a beforeAll, say) are left alone.
  const std::string killed = KillDescendants(getpid(), job.tid, a->armed_ns);
  MutexLock lock(g_mu);
  a->unblock = std::string("{\"signalled\":") + (signalled ? "true" : "false") +
               ",\"killed\":" + killed + "}";
  Release(a);
}

// The stuck step, part one: true when there is something to report; the arm is then busy and
// `s` holds what part two needs.
bool StuckBegin(Arm* a, StuckSnapshot* s) REQUIRES(g_mu) {
  a->phase = Phase::kStuck;
  a->next_step_ns = kNever;
  if (a->probe_ran) return false;  // it was idle in its loop after the deadline: its JS settles it
  a->stuck = true;
  ThreadState* ts = a->ts;
  s->label.assign(a->label, a->label_len);
  s->tid = ts->tid;
  s->generation = ts->generation;
  s->armed_ns = a->armed_ns;
  s->deadline_ns = a->deadline_ns;
  s->busy_outside = a->busy_outside;
  s->busy_in_microtask = a->busy_in_microtask;
  s->unblock = a->unblock;
  s->stack = a->stack;
  s->kill_process = a->plan.kill_process;
  s->log = TakeLog(ts);
  s->log_path = ts->log_path;
  a->busy = true;
  return true;
}

// Tells the other threads' onThreadStuck listeners.
void NotifyListeners(const ThreadState* stuck, const std::string& json) REQUIRES(g_mu) {
  for (ThreadState* other : *g_threads) {
    if (other == stuck || !other->alive || other->stuck_listener == nullptr) continue;
    auto copy = std::make_unique<std::string>(json);
    // On success the listener's call (CallStuckListener) owns the copy.
    if (napi_call_threadsafe_function(other->stuck_listener, copy.get(), napi_tsfn_nonblocking) == napi_ok)
      copy.release();
  }
}

// Part two, without g_mu held on entry: report, and carry out the onStuck plan.
void StuckOutside(Arm* a, const StuckSnapshot& s) EXCLUDES(g_mu) {
  // First the log, then the report: whoever the report wakes reads the log.
  AppendLog(s.log_path, s.log);
  const std::string json = StuckReportJson(s, NowNs());
  {
    MutexLock lock(g_mu);
    NotifyListeners(a->ts, json);
  }
  const StuckPlan& plan = a->plan;
  if (!plan.report_path.empty()) WriteReport(plan.report_path, json);
  const pid_t program = plan.exec.empty() ? -1 : StartProgram(plan.exec, json);
  if (plan.kill_process && g_kill_program == 0) {
    if (program <= 0) KillProcess();
    g_kill_program = program;  // a program still running at g_kill_at dies with the rest
    g_kill_at = NowNs() + kProgramLimitNs;
  } else if (program > 0) {
    // (With a kill already waiting for an earlier program, that kill ends this one too.)
    g_programs->push_back(program);
  }
  MutexLock lock(g_mu);
  Release(a);
}

// One look at every watched arm: steps those that are due, and picks at most one step that needs
// system work (returned in *unblock or *stuck, busy). Returns when to look next.
int64_t Pass(int64_t now, UnblockJob* unblock, Arm** stuck, StuckSnapshot* snapshot) REQUIRES(g_mu) {
  int64_t next = kNever;
  for (Arm* a : *g_watched) {
    if (a->busy) continue;
    if (a->next_step_ns <= now) {
      const bool free = unblock->arm == nullptr && *stuck == nullptr;
      switch (a->phase) {
        case Phase::kArmed: Fire(a, now); break;
        case Phase::kFired:
          if (free) UnblockBegin(a, unblock);
          break;
        case Phase::kUnblocked:
          if (free && StuckBegin(a, snapshot)) *stuck = a;
          break;
        case Phase::kStuck: break;
      }
    }
    if (a->phase != Phase::kStuck) next = std::min(next, a->next_step_ns);
  }
  return next;
}

void WatchdogMain() {
  RaiseThreadPriority();
  MutexLock lock(g_mu);
  for (;;) {
    if (!g_programs->empty() || g_kill_program != 0) {
      lock.Unlock();
      ReapPrograms();
      PollPendingKill();
      lock.Lock();
    }
    UnblockJob unblock;
    Arm* stuck = nullptr;
    StuckSnapshot snapshot;
    int64_t next = Pass(NowNs(), &unblock, &stuck, &snapshot);
    if (unblock.arm != nullptr || stuck != nullptr) {
      lock.Unlock();
      if (unblock.arm != nullptr) UnblockOutside(unblock);
      else StuckOutside(stuck, snapshot);
      lock.Lock();
      continue;  // the arms may have changed meanwhile: look again
    }
    if (g_kill_program != 0) next = std::min(next, NowNs() + kPollProgramNs);
    g_wait_until = next;
    if (next == kNever) {
      g_mu.Wait(*g_cv);
    } else {
      g_mu.WaitUntil(*g_cv, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)));
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
