// The addon's one mutex type, annotated for clang's thread-safety analysis: with
// `clang++ -Wthread-safety`, reading or writing a field marked GUARDED_BY(g_mu) without holding
// g_mu, or calling a function marked REQUIRES(g_mu) without it, is a compile error
// (native/test/thread-safety.test.mjs). Other compilers see plain std::mutex code.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define HT_TSA(x) __attribute__((x))
#else
#define HT_TSA(x)
#endif

#define CAPABILITY(x) HT_TSA(capability(x))
#define SCOPED_CAPABILITY HT_TSA(scoped_lockable)
#define GUARDED_BY(x) HT_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) HT_TSA(pt_guarded_by(x))
#define REQUIRES(...) HT_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) HT_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) HT_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) HT_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS HT_TSA(no_thread_safety_analysis)

namespace ht {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { m_.lock(); }
  void Unlock() RELEASE() { m_.unlock(); }

  // Waits on cv: the mutex is released while waiting and held again on return.
  void Wait(std::condition_variable& cv) REQUIRES(this) {
    std::unique_lock<std::mutex> lock(m_, std::adopt_lock);
    cv.wait(lock);
    lock.release();
  }
  void WaitUntil(std::condition_variable& cv, std::chrono::steady_clock::time_point until)
      REQUIRES(this) {
    std::unique_lock<std::mutex> lock(m_, std::adopt_lock);
    cv.wait_until(lock, until);
    lock.release();
  }

 private:
  std::mutex m_;
};

// Holds a Mutex for its scope; Unlock()/Lock() open a window without it inside that scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() {
    held_ = false;
    mu_.Unlock();
  }
  void Lock() ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

}  // namespace ht
