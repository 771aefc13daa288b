// What runs on the stuck JS thread itself: the V8 interrupt that captures the error and terminates,
// the microtask-checkpoint hook that cancels a termination begun inside a microtask, and the
// event-loop probe that tells the watchdog the thread is idle rather than stuck.
#pragma once

#include "registry.h"

namespace ht {

// From any thread. All three are no-ops for a thread that is no longer alive.
// The interrupt for a fired deadline. A first one stops only code in the arm's own guard frame;
// a confirming one (the thread stayed busy in JS, never back in its loop) may also stop a loop
// running in a microtask.
void RequestArmInterrupt(Arm* a, bool confirm = false) REQUIRES(g_mu);
void RequestProbeInterrupt(ThreadState* ts) REQUIRES(g_mu);  // killThread: is the thread running JS?
void ProbeLoop(ThreadState* ts, uint64_t arm_id) REQUIRES(g_mu);  // is the thread idle in its event loop?

// Called with g_mu held, on the JS thread, when arm `stopped` (may be null) was stopped after
// holding the thread: the other async parts of this thread whose deadline passed meanwhile were
// starved by it (their timers and I/O could not run). They get their limit again from `now`, and
// remember who starved them (for their message, if they are stopped later).
void RearmStarved(ThreadState* ts, const Arm* stopped, int64_t now) REQUIRES(g_mu);

// On the JS thread, at module init: hooks the microtask checkpoint and creates the loop probe.
napi_status InstallThreadHooks(ThreadState* ts);

}  // namespace ht
