// The process-wide watchdog thread: one thread serves every JS thread of the process.
#pragma once

#include <cstdint>

namespace ht {

struct Arm;

// Called with g_mu held after an arm was added: wakes the watchdog only when the new deadline is
// earlier than the one it sleeps until (the common path costs no syscall).
void WatchdogArmed(int64_t deadline_ns);

// Called with g_mu held: make the watchdog look at `a` now (interruptThread).
void WatchdogFireNow(Arm* a);

}  // namespace ht
