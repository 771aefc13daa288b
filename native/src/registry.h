// Shared state of the addon: one ThreadState per JS thread (main thread or worker), one Arm per
// armed deadline, and the single process-wide mutex that protects what the watchdog thread reads.
//
// ABI rule (see DESIGN.md): besides Node-API we call only these v8 members, whose exported symbols
// are identical in Node 18-26: Isolate::GetCurrent, RequestInterrupt, TerminateExecution,
// CancelTerminateExecution, IsExecutionTerminating, AddMicrotasksCompletedCallback and
// MicrotasksScope::IsRunningMicrotasks. test/symbols.test.mjs fails on any other V8/Node symbol.
#pragma once

#include <node_api.h>
#include <v8.h>

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ht {

int64_t NowNs();  // CLOCK_MONOTONIC, in nanoseconds
pid_t Gettid();

struct ThreadState;

// How far the watchdog has escalated an armed deadline.
enum class Phase : uint8_t {
  kArmed,      // waiting for the deadline
  kFired,      // deadline passed: interrupt requested, loop probed
  kUnblocked,  // thread was in native code: signalled and its children killed
  kStuck,      // still not back: reported (and the onStuck plan carried out)
};

// What the watchdog does when a thread stays stuck (set per runWithHardTimeout call).
struct StuckPlan {
  std::string report_path;  // write the stuck report (JSON) here
  bool kill_process = false;  // then SIGKILL this process and all its descendants
  // A program to start when stuck (after the report, before the kill): its arguments, each
  // followed by a NUL byte, as core joined them. Empty: none.
  std::string exec;
};

// One armed deadline: one runWithHardTimeout call, its synchronous frame and, when it returned a
// promise, its async part. Fields marked (mu) are read or written under g_mu; (js) only by the JS
// thread that owns the arm.
struct Arm {
  uint64_t id = 0;
  ThreadState* ts = nullptr;
  double timeout_ms = 0;
  int64_t armed_ns = 0;       // (mu)
  int64_t deadline_ns = 0;    // (mu)
  int64_t next_step_ns = 0;   // (mu) when the watchdog looks at it next
  int64_t unblock_after_ns = 0;
  int64_t stuck_after_ns = 0;
  Phase phase = Phase::kArmed;  // (mu)
  bool watched = false;         // (mu) present in g_watched
  bool interrupt_ran = false;   // (mu) our interrupt ran: the thread was executing JS
  bool probe_ran = false;       // (mu) the loop probe ran: the thread was idle in its loop
  bool native = false;          // (mu) it had to be unblocked: stuck in native code
  bool stuck = false;           // (mu) reported stuck
  bool busy_outside = false;    // (mu) running JS where a termination is unsafe
  std::string stack;            // (mu) then, the stack of that JS (taken by an interrupt)
  bool stopped = false;         // (mu) stopped: termination done and cancelled
  int64_t fired_ns = 0;         // (mu)
  int64_t window_cpu_ns = -1;   // (mu) the thread's CPU time when the current wait began
  int fired_interrupts = 0;     // (mu) ts->interrupts_entered at the deadline
  int64_t stopped_ns = 0;       // (mu)
  std::string diagnosis;        // (mu) /proc diagnosis (JSON) at the unblock step
  std::string unblock;          // (mu) what the unblock step did (JSON)
  // interruptThread(): a custom error instead of a deadline
  bool custom = false;          // (mu)
  std::string custom_name;      // (mu)
  std::string custom_message;   // (mu)
  // Names the call in stuck reports (written by the watchdog thread, which cannot read JS
  // strings). A fixed buffer: no allocation per call. Longer labels are cut at a character
  // boundary (Node-API writes whole UTF-8 characters only); errors thrown in JS keep the full one.
  char label[256];
  size_t label_len = 0;
  StuckPlan plan;
  // (mu) The watchdog is working on this arm without holding g_mu (reading /proc, killing
  // children, writing the report). While set, the arm is not freed (FreeArm waits) and its stop
  // details are not read (StopInfo waits): the watchdog publishes them when it clears the flag.
  bool busy = false;
  // (js)
  bool in_frame = false;        // its synchronous frame is on the stack
  napi_ref error = nullptr;     // error created inside the interrupt: its stack is the stuck point
};

// One JS thread (an isolate with its Node environment). Never freed: a handle that names a dead
// thread must still find it, to say "stale" instead of touching another thread.
struct ThreadState {
  uint64_t generation = 0;
  pid_t tid = 0;
  bool is_main = false;
  v8::Isolate* isolate = nullptr;
  napi_env env = nullptr;
  bool alive = true;                            // (mu) env not torn down, thread not killed
  bool killed = false;                          // (mu)
  std::vector<Arm*> arms;                       // (mu) outer to inner
  napi_threadsafe_function probe = nullptr;     // (mu) reaches the event loop of this thread
  napi_threadsafe_function stuck_listener = nullptr;  // (mu) onThreadStuck() of this thread
  std::atomic<int> js_probe_hits{0};            // interrupt probes that ran (killThread)
  std::atomic<int> loop_probe_hits{0};          // loop probes that ran (killThread)
  // Interrupt callbacks entered on this thread, counted before they take g_mu: a thread that is
  // inside one, waiting for the lock the watchdog holds, is running V8 code, not native code.
  std::atomic<int> interrupts_entered{0};
  // (js)
  int frame_depth = 0;                // guard frames (run()) on the stack now
  uint64_t terminating = 0;           // arm whose termination is unwinding the stack now
  bool terminating_in_microtask = false;  // cancel it when the microtask checkpoint ends
  uint64_t async_token = 0;           // arm left armed by the last run() that returned a promise
  Arm* last_stop = nullptr;           // arm stopped in its synchronous frame, for takeStop()
  napi_ref stopped_sentinel = nullptr;
  // Set from JS (configure()): whether a loop after an await may be stopped inside the microtask
  // checkpoint here, and the function that rebalances Node's async-id stack afterwards (the
  // stopped microtask never ran its async hook "after").
  bool microtask_stops = true;
  napi_ref after_microtask_stop = nullptr;
  napi_ref on_idle_fire = nullptr;  // JS fn(token): the loop probe found the thread idle
  // stuckLog(): lines kept in an ArrayBuffer of this thread, appended to log_path by the watchdog
  // when an arm of this thread is reported stuck. The buffer's first 4 bytes hold the length of
  // the text after its 8-byte header, stored by JS (Atomics.store) after the text: the watchdog
  // loads it (acquire) and copies only what it covers, while JS may already be writing further.
  // Text below that length is never written again (JS appends; a cleared or grown log is a new
  // buffer, swapped in under g_mu).
  napi_ref log_ref = nullptr;       // (js) keeps the buffer alive
  char* log_data = nullptr;         // (mu)
  size_t log_capacity = 0;          // (mu) bytes, header included
  std::string log_path;             // (mu)
  size_t log_written = 0;           // (mu) text already appended to log_path
};

extern std::mutex* g_mu;  // heap-allocated and never destroyed (exit must not wait on it)
extern std::vector<ThreadState*>* g_threads;  // (mu) every thread ever registered
extern std::vector<Arm*>* g_watched;          // (mu) arms the watchdog is watching
// Notified (with g_mu held) whenever the watchdog clears an arm's busy flag.
extern std::condition_variable* g_not_busy;

// With g_mu held (by `lock`): returns once the watchdog no longer works on `a`.
void WaitNotBusy(std::unique_lock<std::mutex>& lock, const Arm* a);

ThreadState* RegisterThread(napi_env env);  // once per env
ThreadState* FindThread(uint64_t generation);  // (mu)
Arm* FindArm(ThreadState* ts, uint64_t id);   // (mu)
Arm* NewArm(ThreadState* ts, double timeout_ms);  // not yet watched: fill it, then Watch()
void Watch(Arm* a);        // makes it visible to the watchdog (waking it only if needed)
void Unwatch(Arm* a);      // (mu) stop watching; the watchdog will never touch it again
void FreeArm(Arm* a);      // JS thread: unwatch, drop from ts->arms, delete

}  // namespace ht
