// The process-wide watchdog thread: one thread serves every JS thread of the process.
#pragma once

#include <cstdint>

#include "registry.h"

namespace ht {

// After an arm was added: wakes the watchdog only when the new deadline is earlier than the one
// it sleeps until (the common path costs no syscall).
void WatchdogArmed(int64_t deadline_ns) REQUIRES(g_mu);

// Make the watchdog look at `a` now (interruptThread).
void WatchdogFireNow(Arm* a) REQUIRES(g_mu);

}  // namespace ht
