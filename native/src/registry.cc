#include "registry.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "watchdog.h"

namespace ht {

std::mutex* g_mu = new std::mutex();
std::vector<ThreadState*>* g_threads = new std::vector<ThreadState*>();
std::vector<Arm*>* g_watched = new std::vector<Arm*>();
std::condition_variable* g_not_busy = new std::condition_variable();

namespace {
std::atomic<uint64_t> g_next_arm{1};
std::atomic<uint32_t> g_next_thread{1};

// Generations carry a per-process random prefix so that a handle from another process whose pid
// happens to match ours is still recognised as foreign. Kept below 2^53 (a safe JS integer).
uint64_t ProcessNonce() {
  static const uint64_t nonce = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) & 0xFFFFF) | 1;  // 20 bits, never 0
  }();
  return nonce;
}
}  // namespace

int64_t NowNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

pid_t Gettid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

ThreadState* RegisterThread(napi_env env) {
  auto* ts = new ThreadState();
  ts->generation = (ProcessNonce() << 32) | g_next_thread.fetch_add(1);
  ts->tid = Gettid();
  ts->is_main = ts->tid == getpid();
  ts->isolate = v8::Isolate::GetCurrent();
  ts->env = env;
  std::lock_guard<std::mutex> lock(*g_mu);
  g_threads->push_back(ts);
  return ts;
}

ThreadState* FindThread(uint64_t generation) {
  for (ThreadState* ts : *g_threads)
    if (ts->generation == generation) return ts;
  return nullptr;
}

Arm* FindArm(ThreadState* ts, uint64_t id) {
  for (Arm* a : ts->arms)
    if (a->id == id) return a;
  return nullptr;
}

Arm* NewArm(ThreadState* ts, double timeout_ms) {
  auto* a = new Arm();
  a->id = g_next_arm.fetch_add(1);
  a->ts = ts;
  a->timeout_ms = timeout_ms;
  a->armed_ns = NowNs();
  a->deadline_ns = a->armed_ns + static_cast<int64_t>(timeout_ms * 1e6);
  a->next_step_ns = a->deadline_ns;
  a->unblock_after_ns = 50 * 1000000LL;
  a->stuck_after_ns = 1000 * 1000000LL;
  return a;
}

void Watch(Arm* a) {
  ThreadState* ts = a->ts;
  std::lock_guard<std::mutex> lock(*g_mu);
  ts->arms.push_back(a);
  g_watched->push_back(a);
  a->watched = true;
  WatchdogArmed(a->deadline_ns);
}

void Unwatch(Arm* a) {
  if (!a->watched) return;
  a->watched = false;
  auto& w = *g_watched;
  auto it = std::find(w.begin(), w.end(), a);
  if (it != w.end()) {
    *it = w.back();
    w.pop_back();
  }
}

void WaitNotBusy(std::unique_lock<std::mutex>& lock, const Arm* a) {
  while (a->busy) g_not_busy->wait(lock);
}

void FreeArm(Arm* a) {
  ThreadState* ts = a->ts;
  {
    std::unique_lock<std::mutex> lock(*g_mu);
    WaitNotBusy(lock, a);
    Unwatch(a);
    auto it = std::find(ts->arms.begin(), ts->arms.end(), a);
    if (it != ts->arms.end()) ts->arms.erase(it);
  }
  if (a->error != nullptr) napi_delete_reference(ts->env, a->error);
  if (ts->last_stop == a) ts->last_stop = nullptr;
  delete a;
}

}  // namespace ht
