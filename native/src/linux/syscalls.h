// The syscalls a stuck test thread is usually found in, by number, for the two ABIs we build for.
// x86-64 has its own numbers; arm64 uses the asm-generic table, which has no open, pipe, poll,
// select, epoll_wait or pause (libc calls openat, pipe2, ppoll, pselect6, epoll_pwait and ppoll
// instead).
#pragma once

#include <cstddef>

namespace ht {

struct SyscallInfo {
  long nr;
  const char* name;
  bool fd_first;  // its first argument is a file descriptor worth naming
  int path_arg;   // the argument that is a path to read from the thread's memory, or -1
};

struct SyscallTable {
  const char* abi;
  long read_nr;  // identifies the table a kernel reports numbers in
  const SyscallInfo* entries;
  size_t size;
  const SyscallInfo* Find(long nr) const {
    for (size_t i = 0; i < size; i++)
      if (entries[i].nr == nr) return &entries[i];
    return nullptr;
  }
};

constexpr SyscallInfo kX86_64Entries[] = {
    {0, "read", true, -1},          {1, "write", true, -1},        {2, "open", false, 0},
    {7, "poll", false, -1},         {16, "ioctl", true, -1},       {17, "pread64", true, -1},
    {18, "pwrite64", true, -1},     {19, "readv", true, -1},       {20, "writev", true, -1},
    {23, "select", false, -1},      {34, "pause", false, -1},      {35, "nanosleep", false, -1},
    {42, "connect", true, -1},      {43, "accept", true, -1},      {44, "sendto", true, -1},
    {45, "recvfrom", true, -1},     {46, "sendmsg", true, -1},     {47, "recvmsg", true, -1},
    {61, "wait4", false, -1},       {72, "fcntl", true, -1},       {73, "flock", true, -1},
    {74, "fsync", true, -1},        {75, "fdatasync", true, -1},   {128, "rt_sigtimedwait", false, -1},
    {130, "rt_sigsuspend", false, -1}, {202, "futex", false, -1},  {230, "clock_nanosleep", false, -1},
    {232, "epoll_wait", true, -1},  {247, "waitid", false, -1},    {257, "openat", false, 1},
    {270, "pselect6", false, -1},   {271, "ppoll", false, -1},     {281, "epoll_pwait", true, -1},
    {288, "accept4", true, -1},     {295, "preadv", true, -1},     {296, "pwritev", true, -1},
    {437, "openat2", false, 1},     {441, "epoll_pwait2", true, -1},
};

constexpr SyscallInfo kArm64Entries[] = {
    {22, "epoll_pwait", true, -1},  {25, "fcntl", true, -1},       {29, "ioctl", true, -1},
    {32, "flock", true, -1},        {56, "openat", false, 1},      {63, "read", true, -1},
    {64, "write", true, -1},        {65, "readv", true, -1},       {66, "writev", true, -1},
    {67, "pread64", true, -1},      {68, "pwrite64", true, -1},    {69, "preadv", true, -1},
    {70, "pwritev", true, -1},      {72, "pselect6", false, -1},   {73, "ppoll", false, -1},
    {82, "fsync", true, -1},        {83, "fdatasync", true, -1},   {95, "waitid", false, -1},
    {98, "futex", false, -1},       {101, "nanosleep", false, -1}, {115, "clock_nanosleep", false, -1},
    {133, "rt_sigsuspend", false, -1}, {137, "rt_sigtimedwait", false, -1}, {202, "accept", true, -1},
    {203, "connect", true, -1},     {206, "sendto", true, -1},     {207, "recvfrom", true, -1},
    {211, "sendmsg", true, -1},     {212, "recvmsg", true, -1},    {242, "accept4", true, -1},
    {260, "wait4", false, -1},      {437, "openat2", false, 1},    {441, "epoll_pwait2", true, -1},
};

constexpr SyscallTable kX86_64{"x86_64", 0, kX86_64Entries, sizeof(kX86_64Entries) / sizeof(SyscallInfo)};
constexpr SyscallTable kArm64{"arm64", 63, kArm64Entries, sizeof(kArm64Entries) / sizeof(SyscallInfo)};

// The table of the ABI this file is compiled for; nullptr where we have none (no names then).
#if defined(__x86_64__)
constexpr const SyscallTable* kBuiltSyscalls = &kX86_64;
#elif defined(__aarch64__)
constexpr const SyscallTable* kBuiltSyscalls = &kArm64;
#else
constexpr const SyscallTable* kBuiltSyscalls = nullptr;
#endif

}  // namespace ht
