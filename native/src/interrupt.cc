#include "interrupt.h"

#include "platform.h"
#include "watchdog.h"

#include <memory>
#include <string>

namespace ht {

namespace {

// The stack of the JavaScript this thread runs now, formatted ("Error: ...\n    at ..."); empty
// when it cannot be had. Reading `stack` formats it, which runs JavaScript (Node's
// prepareStackTrace, a source-map hook): V8 calls interrupts where the interrupted code could
// itself make a call, and this is the same formatting a throw at that point would do. Not done
// while a termination is pending, when no JS may run.
std::string CurrentStack(v8::Isolate* isolate, napi_env env) {
  if (isolate->IsExecutionTerminating()) return std::string();
  HandleScope scope(env);
  napi_value msg, error, stack;
  std::string out;
  if (scope.ok() &&
      napi_create_string_utf8(env, "stuck here", NAPI_AUTO_LENGTH, &msg) == napi_ok &&
      napi_create_error(env, nullptr, msg, &error) == napi_ok &&
      napi_get_named_property(env, error, "stack", &stack) == napi_ok) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, stack, nullptr, 0, &len) == napi_ok && len > 0) {
      out.resize(len);
      if (napi_get_value_string_utf8(env, stack, &out[0], len + 1, &len) != napi_ok) len = 0;
      out.resize(len);
    }
  }
  // A formatter that threw must not leave its exception to the interrupted code.
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    (void)napi_get_and_clear_last_exception(env, &ignored);
  }
  return out;
}

struct InterruptRequest {
  ThreadState* ts;
  uint64_t arm_id;  // 0: a killThread probe
  bool confirm;
};

// Runs on the JS thread, at the next safe point of the JavaScript it executes (loop back-edge,
// call, regex backtracking step, Atomics.wait wake-up). Never runs JavaScript itself.
//
// Races handled here:
// - the request may be stale: it was made for an arm that has since finished, or it runs inside a
//   later call; we look the arm up by id on this thread and do nothing if it is gone or not fired;
// - TerminateExecution is only ever called from here, on the thread itself, right after we decided
//   where the termination will be caught (our guard frame, or the microtask checkpoint);
// - where neither can catch it (a raw timer or I/O callback), we do not terminate at all: a
//   termination escaping into Node's callback scopes exits 0 or aborts the process. The watchdog
//   then reports the thread stuck instead.
// Async parts overlap here (concurrent tests) and JS keeps, in ts->async_owner, the arm whose
// promise reaction runs now: a loop in another live arm's code only starves `a`, which must not be
// blamed for it. That arm's own deadline stops it.
bool OwnedByAnother(ThreadState* ts, const Arm* a) REQUIRES(g_mu) {
  const uint64_t owner = ts->async_owner != nullptr ? static_cast<uint64_t>(*ts->async_owner) : 0;
  if (owner == 0 || owner == a->id) return false;
  const Arm* o = FindArm(ts, owner);
  return o != nullptr && !o->stopped && o->watched;
}

void OnInterrupt(v8::Isolate* isolate, void* data) {
  const std::unique_ptr<InterruptRequest> req(static_cast<InterruptRequest*>(data));
  ThreadState* ts = req->ts;
  const uint64_t arm_id = req->arm_id;
  const bool confirm = req->confirm;
  ts->interrupts_entered.fetch_add(1);
  if (arm_id == 0) {
    ts->js_probe_hits.fetch_add(1);
    return;
  }
  if (ts->terminating != 0) return;  // a termination is already unwinding

  std::string message;
  // Read before the lock: a clock read of this thread's own CPU time (no I/O).
  const int64_t cpu_ns = ThreadCpuNs(ts->tid);
  bool in_microtask = false;
  bool take_stack = false;
  Arm* a;
  {
    MutexLock lock(g_mu);
    a = FindArm(ts, arm_id);
    if (a == nullptr || a->stopped || a->phase == Phase::kArmed) return;
    a->interrupt_ran = true;
    if (!a->in_frame) {
      // Already unblocked in its async part: the syscall failed (EINTR, killed child) and that
      // failure is travelling through the promise chain to runWithHardTimeout, which reports it
      // with the stack of the call. Terminating now would only kill that delivery.
      if (a->native) return;
      // Another guard's frame is innermost: that code is governed by its own deadline.
      if (ts->frame_depth > 0) return;
      // No guard frame below us: only a microtask checkpoint can catch the termination.
      const bool running_microtasks = v8::MicrotasksScope::IsRunningMicrotasks(isolate);
      in_microtask = ts->microtask_stops && running_microtasks;
      // The arm is in its async part, so the JS running now may not be its own: a thread idle at
      // the deadline runs this interrupt in whatever JS it runs next (the test runner's timer,
      // say), and a thread that is busy may be busy with the runner's own promise chain (a
      // reporter writing its stream, which under emulation takes longer than a window). The
      // function's loop is one microtask that never ends; the runner's work is many short ones
      // whose checkpoints end. So a microtask is stopped only when it is seen twice in one
      // checkpoint, a window apart, the second time by a confirming interrupt (sent when the
      // thread has not been back in its event loop for that window). Stopping the runner's code
      // would drop its queued microtasks and leave its promises unsettled. The thread must also
      // have run for half that window: a thread that waited for a CPU (a loaded machine) was in
      // one checkpoint because it ran nothing, which says nothing of how long that code runs.
      const uint64_t checkpoint = ts->checkpoints + 1;
      bool seen = false;
      if (in_microtask && a->seen_checkpoint == checkpoint) {
        seen = cpu_ns >= 0 && cpu_ns - a->seen_cpu_ns >= a->unblock_after_ns / 2;
      } else {
        a->seen_checkpoint = in_microtask ? checkpoint : 0;
        a->seen_cpu_ns = cpu_ns;
      }
      if (!confirm || (in_microtask && !seen)) return;
      if (!in_microtask) {
        // Nothing can stop it; the watchdog will report it stuck, with where it loops.
        a->busy_outside = true;
        a->busy_in_microtask = running_microtasks;
        take_stack = a->stack.empty();
        if (!take_stack) return;
      } else if (OwnedByAnother(ts, a)) {
        // Not stuck either: keep this arm at the confirming step (never reported stuck) until
        // that loop is stopped and RearmStarved gives it its limit again.
        a->phase = Phase::kFired;
        a->next_step_ns = NowNs() + a->unblock_after_ns;
        WatchdogArmed(a->next_step_ns);
        return;
      }
    }
    if (!take_stack) message = a->custom ? a->custom_message : std::string("hard timeout");
  }
  if (take_stack) {
    std::string stack = CurrentStack(isolate, ts->env);  // without g_mu: it runs JavaScript
    MutexLock lock(g_mu);
    // Looked up again: the formatting JS may have settled and freed it.
    if (Arm* b = FindArm(ts, arm_id)) b->stack = std::move(stack);
    return;
  }

  // The error is created here so that V8 records the stack of the code that is stuck right now.
  napi_env env = ts->env;
  {
    HandleScope scope(env);
    napi_value msg, error;
    // Without the error the stop still happens; its stack then comes from the guard's caller.
    if (scope.ok() && napi_create_string_utf8(env, message.data(), message.size(), &msg) == napi_ok &&
        napi_create_error(env, nullptr, msg, &error) == napi_ok)
      a->error.Set(env, error);
  }

  ts->terminating = arm_id;
  ts->terminating_in_microtask = in_microtask;
  isolate->TerminateExecution();
}

// Runs on the JS thread whenever a microtask checkpoint ends, including one cut short by a
// termination (V8 drops the rest of the queue and still calls this). Cheap: a count and a load.
void OnMicrotasksCompleted(v8::Isolate* isolate, void* data) {
  auto* ts = static_cast<ThreadState*>(data);
  ts->checkpoints++;
  if (ts->terminating == 0 || !ts->terminating_in_microtask) return;
  Arm* a;
  {
    // Disarm before cancelling, so the watchdog cannot re-inject into the code that runs next.
    MutexLock lock(g_mu);
    a = FindArm(ts, ts->terminating);
    const int64_t now = NowNs();
    if (a != nullptr) {
      a->stopped = true;
      a->stopped_ns = now;
      Unwatch(a);
    }
    RearmStarved(ts, a, now);
  }
  // The reaction that ran the loop never reached its "after" hook.
  if (ts->async_owner != nullptr) *ts->async_owner = 0;
  ts->terminating = 0;
  ts->terminating_in_microtask = false;
  if (isolate->IsExecutionTerminating()) isolate->CancelTerminateExecution();
  // V8 dropped the rest of the microtask queue; Node's async-id stack still holds the entry the
  // stopped microtask pushed. Let JS rebalance it before Node checks it (or aborts).
  if (ts->after_microtask_stop) {
    napi_env env = ts->env;
    HandleScope scope(env);
    if (!scope.ok()) return;
    napi_value fn = ts->after_microtask_stop.Get(env);
    napi_value undefined;
    if (fn != nullptr && napi_get_undefined(env, &undefined) == napi_ok &&
        napi_call_function(env, undefined, fn, 0, nullptr, nullptr) != napi_ok) {
      // It threw (or Node-API failed): nothing to do about it here, and it must not escape.
      napi_value ignored;
      (void)napi_get_and_clear_last_exception(env, &ignored);
    }
  }
}

struct ProbeData {
  uint64_t arm_id;  // 0: killThread probe
};

// Runs on the thread's event loop (a uv_async behind the threadsafe function): the thread is idle,
// not stuck. env is null when the environment is being torn down.
void OnLoopProbe(napi_env env, napi_value, void* context, void* data) {
  auto* ts = static_cast<ThreadState*>(context);
  const std::unique_ptr<ProbeData> probe(static_cast<ProbeData*>(data));
  const uint64_t arm_id = probe->arm_id;
  if (env == nullptr) return;
  if (arm_id == 0) {
    ts->loop_probe_hits.fetch_add(1);
    return;
  }
  {
    MutexLock lock(g_mu);
    Arm* a = FindArm(ts, arm_id);
    // kArmed: a probe sent before the arm was given its limit again (RearmStarved).
    if (a == nullptr || a->stopped || a->phase == Phase::kArmed) return;
    a->probe_ran = true;
  }
  // The thread is idle inside the async part of this arm: nothing to stop, so tell JS now that
  // the deadline passed (or that interruptThread() fired), rather than when its timer runs.
  // (Node-API gives threadsafe-function callbacks a handle scope, and reports an exception
  // thrown here as uncaught, as for any callback.)
  napi_value fn = ts->on_idle_fire.Get(env);
  napi_value undefined, token;
  if (fn == nullptr || napi_get_undefined(env, &undefined) != napi_ok ||
      napi_create_double(env, static_cast<double>(arm_id), &token) != napi_ok)
    return;
  napi_call_function(env, undefined, fn, 1, &token, nullptr);
}

void OnEnvCleanup(void* data) {
  auto* ts = static_cast<ThreadState*>(data);
  napi_threadsafe_function probe, listener;
  {
    // From here on the watchdog never calls into this isolate again.
    MutexLock lock(g_mu);
    ts->alive = false;
    probe = ts->probe;
    listener = ts->stuck_listener;
    ts->probe = nullptr;
    ts->stuck_listener = nullptr;
    ts->log_data = nullptr;  // the buffer goes with the isolate
    for (const auto& a : ts->arms) Unwatch(a.get());
  }
  // A release that fails leaves nothing to undo: the env is going away with them.
  if (probe != nullptr) (void)napi_release_threadsafe_function(probe, napi_tsfn_abort);
  if (listener != nullptr) (void)napi_release_threadsafe_function(listener, napi_tsfn_abort);
}

}  // namespace

void RearmStarved(ThreadState* ts, const Arm* stopped, int64_t now) {
  for (const auto& owned : ts->arms) {
    Arm* b = owned.get();
    if (b == stopped || b->stopped || !b->watched || b->in_frame || b->native || b->phase == Phase::kArmed) continue;
    b->phase = Phase::kArmed;
    b->deadline_ns = now + static_cast<int64_t>(b->timeout_ms * 1e6);
    b->next_step_ns = b->deadline_ns;
    b->fired_ns = 0;
    b->interrupt_ran = false;
    b->probe_ran = false;
    b->ran_js = false;
    b->busy_outside = false;
    b->busy_in_microtask = false;
    b->seen_checkpoint = 0;
    b->seen_cpu_ns = 0;
    b->stack.clear();
    b->window_cpu_ns = -1;
    if (stopped != nullptr) b->starved_by.assign(stopped->label, stopped->label_len);
    WatchdogArmed(b->deadline_ns);
  }
}

void RequestArmInterrupt(Arm* a, bool confirm) {
  ThreadState* ts = a->ts;
  if (!ts->alive) return;
  // OnInterrupt owns the request from here (one still pending when its isolate goes away, a
  // killed thread's, stays allocated: a few bytes).
  ts->isolate->RequestInterrupt(OnInterrupt, new InterruptRequest{ts, a->id, confirm});
}

void RequestProbeInterrupt(ThreadState* ts) {
  if (!ts->alive) return;
  ts->isolate->RequestInterrupt(OnInterrupt, new InterruptRequest{ts, 0, false});
}

void ProbeLoop(ThreadState* ts, uint64_t arm_id) {
  if (!ts->alive || ts->probe == nullptr) return;
  auto data = std::make_unique<ProbeData>(ProbeData{arm_id});
  // On success OnLoopProbe owns it (also when the env goes: it is then called with env null).
  if (napi_call_threadsafe_function(ts->probe, data.get(), napi_tsfn_nonblocking) == napi_ok) data.release();
}

napi_status InstallThreadHooks(ThreadState* ts) {
  napi_env env = ts->env;
  ts->isolate->AddMicrotasksCompletedCallback(OnMicrotasksCompleted, ts);
  napi_value name;
  napi_status s = napi_create_string_utf8(env, "hardtimeout.probe", NAPI_AUTO_LENGTH, &name);
  if (s != napi_ok) return s;
  napi_threadsafe_function probe;
  s = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, ts,
                                      OnLoopProbe, &probe);
  if (s != napi_ok) return s;
  // Unref'd: the probe must never keep a process alive.
  s = napi_unref_threadsafe_function(env, probe);
  if (s != napi_ok) return s;
  {
    MutexLock lock(g_mu);
    ts->probe = probe;
  }
  // Registered after the threadsafe function, so it runs before Node finalizes it.
  return napi_add_env_cleanup_hook(env, OnEnvCleanup, ts);
}

}  // namespace ht
