#include "registry.h"

#include <time.h>

#include <algorithm>
#include <random>

#include "platform.h"
#include "watchdog.h"

namespace ht {

Mutex& g_mu = *new Mutex();
std::vector<ThreadState*>* const g_threads = new std::vector<ThreadState*>();
std::vector<Arm*>* const g_watched = new std::vector<Arm*>();
std::condition_variable* const g_not_busy = new std::condition_variable();

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

ThreadState* RegisterThread(napi_env env) {
  // Never freed (see ThreadState): owned by g_threads for the life of the process.
  auto* ts = new ThreadState();
  ts->generation = (ProcessNonce() << 32) | g_next_thread.fetch_add(1);
  ts->tid = Gettid();
  ts->is_main = IsMainThread();
  ts->isolate = v8::Isolate::GetCurrent();
  ts->env = env;
  MutexLock lock(g_mu);
  g_threads->push_back(ts);
  return ts;
}

ThreadState* FindThread(uint64_t generation) {
  for (ThreadState* ts : *g_threads)
    if (ts->generation == generation) return ts;
  return nullptr;
}

Arm* FindArm(ThreadState* ts, uint64_t id) {
  for (const auto& a : ts->arms)
    if (a->id == id) return a.get();
  return nullptr;
}

std::unique_ptr<Arm> NewArm(ThreadState* ts, double timeout_ms) {
  auto a = std::make_unique<Arm>();
  a->id = g_next_arm.fetch_add(1);
  a->ts = ts;
  a->timeout_ms = timeout_ms;
  a->armed_ns = NowNs();
  a->unblock_after_ns = 50 * 1000000LL;
  a->stuck_after_ns = 1000 * 1000000LL;
  return a;
}

Arm* Watch(std::unique_ptr<Arm> owned) {
  Arm* a = owned.get();
  ThreadState* ts = a->ts;
  MutexLock lock(g_mu);
  a->deadline_ns = a->armed_ns + static_cast<int64_t>(a->timeout_ms * 1e6);
  a->next_step_ns = a->deadline_ns;
  ts->arms.push_back(std::move(owned));
  g_watched->push_back(a);
  a->watched = true;
  WatchdogArmed(a->deadline_ns);
  return a;
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

void WaitNotBusy(const Arm* a) {
  while (a->busy) g_mu.Wait(*g_not_busy);
}

void FreeArm(Arm* a) {
  ThreadState* ts = a->ts;
  std::unique_ptr<Arm> owned;
  {
    MutexLock lock(g_mu);
    WaitNotBusy(a);
    Unwatch(a);
    auto it = std::find_if(ts->arms.begin(), ts->arms.end(), [a](const auto& p) { return p.get() == a; });
    if (it != ts->arms.end()) {
      owned = std::move(*it);
      ts->arms.erase(it);
    }
  }
  if (ts->last_stop == a) ts->last_stop = nullptr;
  // `owned` destroys the arm here, on its own thread (its error Ref requires it), without g_mu.
}

}  // namespace ht
