// Shared state of the addon: one ThreadState per JS thread (main thread or worker), one Arm per
// armed deadline, and the single process-wide mutex g_mu that protects what the watchdog thread
// reads. Fields marked GUARDED_BY(g_mu) are read or written only with it held (clang checks
// this); fields marked (js) only by the JS thread that owns them.
//
// ABI rule: besides Node-API we call only these v8 members, whose exported symbols are identical
// in Node 18-26: Isolate::GetCurrent, RequestInterrupt, TerminateExecution,
// CancelTerminateExecution, IsExecutionTerminating, AddMicrotasksCompletedCallback and
// MicrotasksScope::IsRunningMicrotasks. test/symbols.test.mjs fails on any other V8/Node symbol.
#pragma once

#include <node_api.h>
#include <v8.h>

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "owners.h"
#include "sync.h"

namespace ht {

// Heap-allocated and never destroyed: exit must not wait on it, and threads that were killed
// may still be named by handles.
extern Mutex& g_mu;

int64_t NowNs();  // CLOCK_MONOTONIC, in nanoseconds

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
// promise, its async part. Owned by the JS thread that armed it: NewArm creates it, Watch moves
// it into its ThreadState's arms, FreeArm (on that thread) destroys it; everyone else borrows a
// pointer under g_mu. The fields without a mark are set before Watch() and constant after it.
struct Arm {
  uint64_t id = 0;
  ThreadState* ts = nullptr;
  double timeout_ms = 0;
  int64_t armed_ns = 0;
  int64_t unblock_after_ns = 0;
  int64_t stuck_after_ns = 0;
  // Names the call in stuck reports (written by the watchdog thread, which cannot read JS
  // strings). A fixed buffer: no allocation per call. Longer labels are cut at a character
  // boundary (Node-API writes whole UTF-8 characters only); errors thrown in JS keep the full one.
  char label[256];
  size_t label_len = 0;
  StuckPlan plan;

  int64_t deadline_ns GUARDED_BY(g_mu) = 0;      // moved to now by interruptThread()
  int64_t next_step_ns GUARDED_BY(g_mu) = 0;     // when the watchdog looks at it next
  Phase phase GUARDED_BY(g_mu) = Phase::kArmed;
  bool watched GUARDED_BY(g_mu) = false;         // present in g_watched
  bool interrupt_ran GUARDED_BY(g_mu) = false;   // our interrupt ran: the thread was executing JS
  bool probe_ran GUARDED_BY(g_mu) = false;       // the loop probe ran: the thread was idle in its loop
  bool ran_js GUARDED_BY(g_mu) = false;          // it ran JavaScript in an earlier window since the deadline
  bool native GUARDED_BY(g_mu) = false;          // it had to be unblocked: stuck in native code
  bool stuck GUARDED_BY(g_mu) = false;           // reported stuck
  bool busy_outside GUARDED_BY(g_mu) = false;    // running JS where a termination is unsafe
  // ... and that JS was a microtask (stops there are off: an AsyncHook on Node 24+), not a
  // timer, I/O or event callback.
  bool busy_in_microtask GUARDED_BY(g_mu) = false;
  std::string stack GUARDED_BY(g_mu);            // then, the stack of that JS (taken by an interrupt)
  // The microtask checkpoint its interrupt last ran in, in its async part (ts->checkpoints + 1;
  // 0: none yet): a loop is stopped only when it is seen in one checkpoint twice, a window apart.
  uint64_t seen_checkpoint GUARDED_BY(g_mu) = 0;
  int64_t seen_cpu_ns GUARDED_BY(g_mu) = 0;      // the thread's CPU time then
  bool stopped GUARDED_BY(g_mu) = false;         // stopped: termination done and cancelled
  int64_t fired_ns GUARDED_BY(g_mu) = 0;
  int64_t window_cpu_ns GUARDED_BY(g_mu) = -1;   // the thread's CPU time when the current wait began
  int fired_interrupts GUARDED_BY(g_mu) = 0;     // ts->interrupts_entered at the deadline
  int64_t stopped_ns GUARDED_BY(g_mu) = 0;
  std::string diagnosis GUARDED_BY(g_mu);        // /proc diagnosis (JSON) at the unblock step
  std::string unblock GUARDED_BY(g_mu);          // what the unblock step did (JSON)
  // Its deadline passed while another arm's loop held the thread: the limit was given again from
  // the moment that loop was stopped. The other arm's label, for the message if it is stopped.
  std::string starved_by GUARDED_BY(g_mu);
  // interruptThread(): a custom error instead of a deadline
  bool custom GUARDED_BY(g_mu) = false;
  std::string custom_name GUARDED_BY(g_mu);
  std::string custom_message GUARDED_BY(g_mu);
  // The watchdog is working on this arm without holding g_mu (reading /proc, killing children,
  // writing the report). While set, the arm is not freed (FreeArm waits) and its stop details
  // are not read (StopInfo waits): the watchdog publishes them when it clears the flag.
  bool busy GUARDED_BY(g_mu) = false;

  // (js)
  bool in_frame = false;  // its synchronous frame is on the stack
  Ref error;              // error created inside the interrupt: its stack is the stuck point
};

// One JS thread (an isolate with its Node environment). Never freed: a handle that names a dead
// thread must still find it, to say "stale" instead of touching another thread.
struct ThreadState {
  uint64_t generation = 0;
  pid_t tid = 0;
  bool is_main = false;
  v8::Isolate* isolate = nullptr;
  napi_env env = nullptr;
  bool alive GUARDED_BY(g_mu) = true;  // env not torn down, thread not killed
  bool killed GUARDED_BY(g_mu) = false;
  std::vector<std::unique_ptr<Arm>> arms GUARDED_BY(g_mu);  // outer to inner
  napi_threadsafe_function probe GUARDED_BY(g_mu) = nullptr;  // reaches the event loop of this thread
  napi_threadsafe_function stuck_listener GUARDED_BY(g_mu) = nullptr;  // onThreadStuck() of this thread
  std::atomic<int> js_probe_hits{0};    // interrupt probes that ran (killThread)
  std::atomic<int> loop_probe_hits{0};  // loop probes that ran (killThread)
  // Interrupt callbacks entered on this thread, counted before they take g_mu: a thread that is
  // inside one, waiting for the lock, is running V8 code, not native code.
  std::atomic<int> interrupts_entered{0};
  // (js)
  int frame_depth = 0;                    // guard frames (run()) on the stack now
  uint64_t checkpoints = 0;               // microtask checkpoints ended on this thread
  uint64_t terminating = 0;               // arm whose termination is unwinding the stack now
  bool terminating_in_microtask = false;  // cancel it when the microtask checkpoint ends
  uint64_t async_token = 0;               // arm left armed by the last run() that returned a promise
  Arm* last_stop = nullptr;               // arm stopped in its synchronous frame, for takeStop()
  Ref stopped_sentinel;
  // Set from JS (configure()): whether a loop after an await may be stopped inside the microtask
  // checkpoint here, and the function that rebalances Node's async-id stack afterwards (the
  // stopped microtask never ran its async hook "after").
  bool microtask_stops = true;
  Ref after_microtask_stop;
  Ref on_idle_fire;  // JS fn(token): the loop probe found the thread idle
  // Set by JS (setAsyncOwner()) while async parts of several arms overlap on this thread: a cell
  // holding the id of the arm whose promise reaction runs now (0: unknown). Read only on this
  // thread, by the interrupt, to tell which arm a loop in a microtask belongs to.
  Ref async_owner_ref;             // (js) keeps the buffer alive
  double* async_owner = nullptr;   // (js)
  // stuckLog(): lines kept in an ArrayBuffer of this thread, appended to log_path by the watchdog
  // when an arm of this thread is reported stuck. The buffer's first 4 bytes hold the length of
  // the text after its 8-byte header, stored by JS (Atomics.store) after the text: the watchdog
  // loads it (acquire) and copies only what it covers, while JS may already be writing further.
  // Text below that length is never written again (JS appends; a cleared or grown log is a new
  // buffer, swapped in under g_mu).
  Ref log_ref;  // (js) keeps the buffer alive
  char* log_data GUARDED_BY(g_mu) = nullptr;
  size_t log_capacity GUARDED_BY(g_mu) = 0;  // bytes, header included
  std::string log_path GUARDED_BY(g_mu);
  size_t log_written GUARDED_BY(g_mu) = 0;  // text already appended to log_path
};

// Both never destroyed (ThreadStates are never freed).
extern std::vector<ThreadState*>* const g_threads PT_GUARDED_BY(g_mu);  // every thread ever registered
extern std::vector<Arm*>* const g_watched PT_GUARDED_BY(g_mu);  // arms the watchdog is watching
// Notified (with g_mu held) whenever the watchdog clears an arm's busy flag.
extern std::condition_variable* const g_not_busy;

// Returns once the watchdog no longer works on `a` (waiting releases g_mu meanwhile).
void WaitNotBusy(const Arm* a) REQUIRES(g_mu);

ThreadState* RegisterThread(napi_env env) EXCLUDES(g_mu);  // once per env
ThreadState* FindThread(uint64_t generation) REQUIRES(g_mu);
Arm* FindArm(ThreadState* ts, uint64_t id) REQUIRES(g_mu);
std::unique_ptr<Arm> NewArm(ThreadState* ts, double timeout_ms);  // fill it, then Watch() it
// Makes it visible to the watchdog (waking it only if needed); ts->arms owns it from now on.
Arm* Watch(std::unique_ptr<Arm> a) EXCLUDES(g_mu);
void Unwatch(Arm* a) REQUIRES(g_mu);  // stop watching; the watchdog will never step it again
void FreeArm(Arm* a) EXCLUDES(g_mu);  // JS thread: unwatch, drop from ts->arms, destroy

}  // namespace ht
