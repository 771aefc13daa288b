// What /proc says about a thread, and the process trees hanging off it. Linux only.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <string>
#include <vector>

namespace ht {

// JSON: {"pid","tid","state","syscall":{"nr","name","args"},"wchan","fd":{"fd","target"},
// "path","children":[{"pid","cmd"}]}. Fields that cannot be read are left out.
std::string DiagnoseJson(pid_t pid, pid_t tid);

// Every descendant process of one thread (tid > 0) or of every thread of pid (tid == 0).
std::vector<pid_t> Descendants(pid_t pid, pid_t tid);

// Stops (SIGSTOP) then kills (SIGKILL) the descendants of one thread or of a whole process, so
// that none can fork while the tree is walked. Returns the killed pids as a JSON array of
// {"pid","cmd"}.
// With started_after_ns (CLOCK_MONOTONIC) >= 0, only the direct children started at or after
// that time are taken, with everything below them: a blocked execSync's child, not the test
// server a beforeAll started earlier from the same thread.
std::string KillDescendants(pid_t pid, pid_t tid, int64_t started_after_ns = -1);

std::string JsonString(const std::string& s);

// CPU time the thread tid of this process has used so far, in ns; -1 when it cannot be read
// (the thread has exited).
int64_t ThreadCpuNs(pid_t tid);

// True when the thread is in no syscall (/proc/<pid>/task/<tid>/syscall reads "running"): it is
// executing, or waiting for a CPU.
bool OutsideSyscall(pid_t pid, pid_t tid);

}  // namespace ht
