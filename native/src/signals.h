// Two real-time signals, installed once per process:
// - the unblock signal: an empty handler installed without SA_RESTART, so a thread blocked in a
//   read-type syscall returns EINTR to its caller (libuv does not retry UV_FS_READ on EINTR);
// - the kill signal: the handler ends the calling thread with the raw exit syscall when that thread
//   is the one killThread() named. No unwinding, no destructors: the seed's hard thread kill.
#pragma once

#include <sys/types.h>

namespace ht {

bool InstallSignals();         // idempotent; false when no free real-time signal was found
int UnblockSignal();           // 0 when not installed
bool SignalThread(pid_t tid);  // send the unblock signal to one thread of this process
bool KillThreadNow(pid_t tid);  // send the kill signal to one thread of this process

}  // namespace ht

namespace ht {

// PR_SET_PDEATHSIG with a signal of our own whose handler SIGKILLs this process once its parent
// process is gone (not merely the parent thread that started it), with descendants every process
// below it first (walking /proc with raw syscalls only: it runs in a signal handler). The kernel
// ties the signal to the calling thread: call from the main thread. Returns false when no signal
// or prctl was available.
bool DieWithParent(bool descendants);

}  // namespace ht
