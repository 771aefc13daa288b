// What the addon needs from the operating system beyond POSIX threads, processes and clocks:
// reading another thread's state, unblocking it, killing it, and dying with the parent process.
// Implemented for Linux in linux/ (/proc, real-time signals, prctl); stub/ compiles everywhere
// else and reports each capability as missing, so that the portable part (the watchdog, the
// interrupts, the microtask stop, the registry) builds on its own. binding.gyp picks one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ht {

// ---- threads ----
pid_t Gettid();                // the kernel id of the calling thread
bool IsMainThread();           // the calling thread is the process's main thread
bool ThreadExists(pid_t tid);  // a thread of this process with that id still exists
// Raises the calling thread's scheduling priority if the process may (the watchdog's wake-ups
// are what makes deadlines punctual on a loaded machine).
void RaiseThreadPriority();
// CPU time the thread tid of this process has used so far, in ns; -1 when it cannot be read
// (the thread has exited, or the platform cannot tell).
int64_t ThreadCpuNs(pid_t tid);

// ---- what a thread is doing ----
// JSON: {"pid","tid","state","syscall":{"nr","name","args"},"wchan","fd":{"fd","target"},
// "path","children":[{"pid","cmd"}]}. Fields that cannot be read are left out.
std::string DiagnoseJson(pid_t pid, pid_t tid);
// True when the thread is in no syscall: it is executing, or waiting for a CPU.
bool OutsideSyscall(pid_t pid, pid_t tid);
// Every descendant process of one thread (tid > 0) or of every thread of pid (tid == 0).
std::vector<pid_t> Descendants(pid_t pid, pid_t tid);
// Stops (SIGSTOP) then kills (SIGKILL) the descendants of one thread or of a whole process, so
// that none can fork while the tree is walked. Returns the killed pids as a JSON array of
// {"pid","cmd"}. With started_after_ns (CLOCK_MONOTONIC) >= 0, only the direct children started
// at or after that time are taken, with everything below them: a blocked execSync's child, not
// the test server a beforeAll started earlier from the same thread.
std::string KillDescendants(pid_t pid, pid_t tid, int64_t started_after_ns = -1);

// ---- signals ----
// Two real-time signals, installed once per process:
// - the unblock signal: an empty handler installed without SA_RESTART, so a thread blocked in a
//   read-type syscall returns EINTR to its caller;
// - the kill signal: its handler ends the calling thread with the raw exit syscall when that
//   thread is the one killThread() named. No unwinding, no destructors.
bool InstallSignals();          // idempotent; false when no free real-time signal was found
int UnblockSignal();            // 0 when not installed
bool SignalThread(pid_t tid);   // send the unblock signal to one thread of this process
bool KillThreadNow(pid_t tid);  // send the kill signal to one thread of this process

// SIGKILL this process when its parent process is gone (with descendants: every process below it
// first). Call from the main thread. False when the platform offers no way.
bool DieWithParent(bool descendants);

}  // namespace ht
