// The /proc half of platform.h: what a thread is blocked in, and the process trees below it.
#include "../platform.h"

#include <dirent.h>
#include <signal.h>
#include <sys/uio.h>
#include <unistd.h>

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "../json.h"
#include "syscalls.h"
#include "../owners.h"

namespace ht {

namespace {

std::string ReadFile(const std::string& path, size_t max = 4096) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::string s(max, '\0');
  f.read(&s[0], static_cast<std::streamsize>(max));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

std::string TaskDir(pid_t pid, pid_t tid) {
  return "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
}

std::string Cmdline(pid_t pid) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/cmdline", 200);
  for (char& c : s)
    if (c == '\0') c = ' ';
  return Trim(s);
}

// The numbers /proc reports. Usually those of the ABI we were built for; but under a user-mode
// emulator (qemu-aarch64 on an x86-64 host) /proc is the host kernel's and shows the host's
// numbers. Told apart once: while this thread reads its own syscall file, the file shows that
// very read.
const SyscallTable* KernelSyscalls() {
  static const SyscallTable* const table = [] {
    std::istringstream in(ReadFile("/proc/thread-self/syscall", 64));
    long nr = -1;
    if (!(in >> nr)) return kBuiltSyscalls;
    for (const SyscallTable* t : {kBuiltSyscalls, &kX86_64, &kArm64})
      if (t != nullptr && t->read_nr == nr) return t;
    return kBuiltSyscalls;
  }();
  return table;
}

// For open/openat in our own process: the path argument, read from our own memory with
// process_vm_readv so that a bad pointer gives an error rather than a crash.
std::string PathArg(pid_t pid, unsigned long addr) {
  char buf[256] = {};
  iovec local{buf, sizeof(buf) - 1};
  iovec remote{reinterpret_cast<void*>(addr), sizeof(buf) - 1};
  if (process_vm_readv(pid, &local, 1, &remote, 1, 0) <= 0) return "";
  return std::string(buf, strnlen(buf, sizeof(buf) - 1));
}

void ChildrenOfTask(pid_t pid, pid_t tid, std::vector<pid_t>& out) {
  std::istringstream in(ReadFile(TaskDir(pid, tid) + "/children", 65536));
  pid_t child;
  while (in >> child) out.push_back(child);
}

std::vector<pid_t> Tasks(pid_t pid) {
  std::vector<pid_t> tasks;
  Dir d(opendir(("/proc/" + std::to_string(pid) + "/task").c_str()));
  if (d.get() == nullptr) return tasks;
  while (dirent* e = readdir(d.get())) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    tasks.push_back(static_cast<pid_t>(atoi(e->d_name)));
  }
  return tasks;
}

// When the process started, in CLOCK_MONOTONIC nanoseconds (-1 if unknown). /proc gives the
// start in clock ticks since boot; boot time and CLOCK_MONOTONIC differ by time spent suspended.
int64_t StartedNs(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  for (int i = 0; i < 20 && (in >> field); i++) {
    if (i == 19) {  // field 22 of stat(5): starttime
      const double ticks = strtod(field.c_str(), nullptr);
      timespec boot, mono;
      clock_gettime(CLOCK_BOOTTIME, &boot);
      clock_gettime(CLOCK_MONOTONIC, &mono);
      const int64_t suspended = (boot.tv_sec - mono.tv_sec) * 1000000000LL + (boot.tv_nsec - mono.tv_nsec);
      return static_cast<int64_t>(ticks / sysconf(_SC_CLK_TCK) * 1e9) - suspended;
    }
  }
  return -1;
}

void CollectDescendants(pid_t pid, pid_t tid, std::vector<pid_t>& out, bool stop,
                        int64_t started_after_ns = -1) {
  std::vector<pid_t> direct;
  if (tid > 0) {
    ChildrenOfTask(pid, tid, direct);
  } else {
    for (pid_t t : Tasks(pid)) ChildrenOfTask(pid, t, direct);
  }
  // One clock tick of slack: /proc's start time is rounded down to a tick.
  const int64_t tick_ns = 1000000000LL / sysconf(_SC_CLK_TCK);
  for (pid_t child : direct) {
    if (started_after_ns >= 0 && StartedNs(child) + tick_ns < started_after_ns) continue;
    // Freeze it first: a stopped process cannot fork while we walk below it.
    if (stop) kill(child, SIGSTOP);
    out.push_back(child);
    CollectDescendants(child, 0, out, stop);
  }
}

}  // namespace

std::vector<pid_t> Descendants(pid_t pid, pid_t tid) {
  std::vector<pid_t> out;
  CollectDescendants(pid, tid, out, false);
  return out;
}

std::string KillDescendants(pid_t pid, pid_t tid, int64_t started_after_ns) {
  std::vector<pid_t> tree;
  CollectDescendants(pid, tid, tree, true, started_after_ns);
  std::string json = "[";
  for (size_t i = 0; i < tree.size(); i++) {
    std::string cmd = Cmdline(tree[i]);
    kill(tree[i], SIGKILL);
    if (i > 0) json += ",";
    json += "{\"pid\":" + std::to_string(tree[i]) + ",\"cmd\":" + JsonString(cmd) + "}";
  }
  return json + "]";
}

bool OutsideSyscall(pid_t pid, pid_t tid) {
  return Trim(ReadFile(TaskDir(pid, tid) + "/syscall", 64)) == "running";
}

std::string DiagnoseJson(pid_t pid, pid_t tid) {
  const std::string dir = TaskDir(pid, tid);
  std::string json = "{\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid);

  // stat: "tid (comm) S ..." - the state letter follows the last ')'.
  std::string stat = ReadFile(dir + "/stat");
  size_t paren = stat.rfind(')');
  if (paren != std::string::npos && paren + 2 < stat.size())
    json += ",\"state\":" + JsonString(std::string(1, stat[paren + 2]));

  std::string sc = Trim(ReadFile(dir + "/syscall"));
  if (sc == "running") {
    json += ",\"running\":true";
  } else if (!sc.empty()) {
    std::istringstream in(sc);
    long nr = -1;
    in >> nr;
    unsigned long args[6] = {};
    for (auto& arg : args) {
      std::string hex;
      if (!(in >> hex)) break;
      arg = strtoul(hex.c_str(), nullptr, 16);
    }
    const SyscallTable* table = KernelSyscalls();
    const SyscallInfo* info = table != nullptr ? table->Find(nr) : nullptr;
    json += ",\"syscall\":{\"nr\":" + std::to_string(nr);
    if (info != nullptr) json += ",\"name\":" + JsonString(info->name);
    json += ",\"args\":[";
    for (int i = 0; i < 6; i++) json += (i ? "," : "") + std::to_string(args[i]);
    json += "]}";
    if (info != nullptr && info->fd_first) {
      const int fd = static_cast<int>(args[0]);
      char target[512];
      std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
      ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      json += ",\"fd\":{\"fd\":" + std::to_string(fd);
      if (n > 0) json += ",\"target\":" + JsonString(std::string(target, static_cast<size_t>(n)));
      json += "}";
    }
    if (info != nullptr && info->path_arg >= 0) {
      std::string path = PathArg(pid, args[info->path_arg]);
      if (!path.empty()) json += ",\"path\":" + JsonString(path);
    }
  }
  std::string wchan = Trim(ReadFile(dir + "/wchan", 128));
  if (!wchan.empty() && wchan != "0") json += ",\"wchan\":" + JsonString(wchan);

  json += ",\"children\":[";
  std::vector<pid_t> kids = Descendants(pid, tid);
  for (size_t i = 0; i < kids.size(); i++) {
    json += (i ? "," : "") + std::string("{\"pid\":") + std::to_string(kids[i]) +
            ",\"cmd\":" + JsonString(Cmdline(kids[i])) + "}";
  }
  return json + "]}";
}

}  // namespace ht
