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

// x86-64 numbers of the syscalls a stuck test thread is usually found in.
const char* SyscallName(long nr) {
#if defined(__x86_64__)
  switch (nr) {
    case 0: return "read";
    case 1: return "write";
    case 2: return "open";
    case 7: return "poll";
    case 16: return "ioctl";
    case 17: return "pread64";
    case 18: return "pwrite64";
    case 19: return "readv";
    case 20: return "writev";
    case 23: return "select";
    case 34: return "pause";
    case 35: return "nanosleep";
    case 42: return "connect";
    case 43: return "accept";
    case 44: return "sendto";
    case 45: return "recvfrom";
    case 46: return "sendmsg";
    case 47: return "recvmsg";
    case 61: return "wait4";
    case 72: return "fcntl";
    case 73: return "flock";
    case 74: return "fsync";
    case 202: return "futex";
    case 230: return "clock_nanosleep";
    case 232: return "epoll_wait";
    case 247: return "waitid";
    case 257: return "openat";
    case 270: return "pselect6";
    case 271: return "ppoll";
    case 281: return "epoll_pwait";
    case 288: return "accept4";
    case 441: return "epoll_pwait2";
    default: return nullptr;
  }
#else
  (void)nr;
  return nullptr;
#endif
}

// Syscalls whose first argument is a file descriptor worth naming.
bool FirstArgIsFd(long nr) {
#if defined(__x86_64__)
  switch (nr) {
    case 0: case 1: case 16: case 17: case 18: case 19: case 20: case 42: case 43: case 44:
    case 45: case 46: case 47: case 72: case 73: case 74: case 232: case 281: case 288: case 441:
      return true;
    default:
      return false;
  }
#else
  (void)nr;
  return false;
#endif
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
  // One clock tick (10 ms) of slack: /proc's start time is rounded down to a tick.
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
    json += ",\"syscall\":{\"nr\":" + std::to_string(nr);
    if (const char* name = SyscallName(nr)) json += ",\"name\":" + JsonString(name);
    json += ",\"args\":[";
    for (int i = 0; i < 6; i++) json += (i ? "," : "") + std::to_string(args[i]);
    json += "]}";
    if (FirstArgIsFd(nr)) {
      const int fd = static_cast<int>(args[0]);
      char target[512];
      std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
      ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      json += ",\"fd\":{\"fd\":" + std::to_string(fd);
      if (n > 0) json += ",\"target\":" + JsonString(std::string(target, static_cast<size_t>(n)));
      json += "}";
    }
#if defined(__x86_64__)
    if (nr == 2 || nr == 257) {
      std::string path = PathArg(pid, nr == 2 ? args[0] : args[1]);
      if (!path.empty()) json += ",\"path\":" + JsonString(path);
    }
#endif
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
