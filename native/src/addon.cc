// The JavaScript bindings. @hardtimeout/core is the only caller; its TypeScript validates every
// argument before it gets here, and this file still refuses malformed ones without crashing.
#include <napi.h>

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "interrupt.h"
#include "proc.h"
#include "registry.h"
#include "signals.h"
#include "watchdog.h"

namespace ht {

namespace {

ThreadState* Ts(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<ThreadState*>(data);
}

std::string OptString(const Napi::Value& v) {
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

double OptNumber(const Napi::Value& v, double fallback) {
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

Napi::Object StopInfo(Napi::Env env, Arm* a) {
  Napi::Object o = Napi::Object::New(env);
  if (a->error != nullptr) {
    napi_value err;
    if (napi_get_reference_value(env, a->error, &err) == napi_ok && err != nullptr)
      o.Set("error", Napi::Value(env, err));
  }
  std::unique_lock<std::mutex> lock(*g_mu);
  WaitNotBusy(lock, a);
  const int64_t end = a->stopped_ns != 0 ? a->stopped_ns : NowNs();
  o.Set("stopped", a->stopped);
  o.Set("timeoutMs", a->timeout_ms);
  o.Set("elapsedMs", (end - a->armed_ns) / 1e6);
  o.Set("latencyMs", (end - a->deadline_ns) / 1e6);
  o.Set("fired", a->phase != Phase::kArmed);
  // How late the watchdog saw the deadline (scheduling), the rest of latencyMs is the thread's.
  if (a->fired_ns != 0) o.Set("firedLateMs", (a->fired_ns - a->deadline_ns) / 1e6);
  o.Set("native", a->native);
  o.Set("stuck", a->stuck);
  o.Set("busyOutside", a->busy_outside);
  if (!a->diagnosis.empty()) o.Set("diagnosis", a->diagnosis);
  if (!a->unblock.empty()) o.Set("unblock", a->unblock);
  if (a->custom) {
    o.Set("customName", a->custom_name);
    o.Set("customMessage", a->custom_message);
  }
  return o;
}

// run(fn, thisArg, timeoutMs, label?, stuckAfterMs?, reportPath?, killProcess?, exec?)
// The guard frame. Calls fn with the deadline armed. Returns fn's result; or, when the deadline
// stopped fn in this frame, the STOPPED sentinel (details via takeStop()). When fn returns a
// promise the arm stays armed for its async part (token via asyncToken()).
napi_value Run(napi_env env, napi_callback_info info) {
  ThreadState* ts = Ts(env);
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 3) {
    napi_throw_type_error(env, nullptr, "run(fn, thisArg, timeoutMs, ...) needs three arguments");
    return nullptr;
  }
  double timeout_ms = 0;
  if (napi_get_value_double(env, argv[2], &timeout_ms) != napi_ok || !(timeout_ms > 0)) {
    napi_throw_range_error(env, nullptr, "timeoutMs must be a positive number");
    return nullptr;
  }
  Arm* a = NewArm(ts, timeout_ms);
  // Raw Node-API calls, one per argument: a wrong type simply fails the call and keeps the default
  // (core validated the options). This runs for every guarded call, so every call counts (~50 ns
  // each); the label is copied into the arm's own buffer (no allocation) in one call.
  if (argc > 3) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[3], a->label, sizeof(a->label), &len) == napi_ok)
      a->label_len = len;
  }
  double stuck_after_ms = 0;
  if (argc > 4 && napi_get_value_double(env, argv[4], &stuck_after_ms) == napi_ok && stuck_after_ms > 0)
    a->stuck_after_ns = static_cast<int64_t>(stuck_after_ms * 1e6);
  if (argc > 5) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[5], nullptr, 0, &len) == napi_ok && len > 0) {
      a->plan.report_path.resize(len);
      napi_get_value_string_utf8(env, argv[5], &a->plan.report_path[0], len + 1, &len);
    }
  }
  bool kill_process = false;
  if (argc > 6 && napi_get_value_bool(env, argv[6], &kill_process) == napi_ok) a->plan.kill_process = kill_process;
  // exec: one string, the program's arguments each ended by "\0" (one Node-API call, not one per
  // argument). The copy keeps its embedded NULs: Node-API copies `len` bytes.
  if (argc > 7) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[7], nullptr, 0, &len) == napi_ok && len > 0) {
      a->plan.exec.resize(len);
      napi_get_value_string_utf8(env, argv[7], &a->plan.exec[0], len + 1, &len);
    }
  }
  Watch(a);

  a->in_frame = true;
  ts->frame_depth++;
  napi_value result = nullptr;
  const napi_status status = napi_call_function(env, argv[1], argv[0], 0, nullptr, &result);
  ts->frame_depth--;
  a->in_frame = false;

  if (ts->terminating == a->id) {
    // Our interrupt terminated fn. Disarm first (so the watchdog cannot inject again), then
    // cancel, then drop the termination Node-API stored as the call's exception.
    {
      std::lock_guard<std::mutex> lock(*g_mu);
      a->stopped = status != napi_ok;
      a->stopped_ns = NowNs();
      Unwatch(a);
    }
    ts->terminating = 0;
    ts->isolate->CancelTerminateExecution();
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    if (status == napi_ok) {
      // fn returned between our interrupt and the termination taking effect: it finished, so
      // it is not stopped; the cancel above kept the termination from hitting our caller.
      if (a->error != nullptr) napi_delete_reference(env, a->error);
      a->error = nullptr;
    } else {
      ts->last_stop = a;
      napi_value sentinel;
      napi_get_reference_value(env, ts->stopped_sentinel, &sentinel);
      return sentinel;
    }
  }
  if (status != napi_ok) {
    bool unblocked = false;
    if (!ts->isolate->IsExecutionTerminating()) {
      std::lock_guard<std::mutex> lock(*g_mu);
      // We unblocked fn (EINTR, its child killed) and it threw before our interrupt could run:
      // that exception is our doing. It becomes the stop's error; its stack names the call.
      unblocked = a->native;
      if (unblocked) {
        a->stopped = true;
        a->stopped_ns = NowNs();
        Unwatch(a);
      }
    }
    if (unblocked) {
      napi_value exception;
      if (napi_get_and_clear_last_exception(env, &exception) == napi_ok && a->error == nullptr)
        napi_create_reference(env, exception, 1, &a->error);
      ts->last_stop = a;
      napi_value sentinel;
      napi_get_reference_value(env, ts->stopped_sentinel, &sentinel);
      return sentinel;
    }
    // An ordinary exception (Node-API rethrows it when we return), or a termination that is not
    // ours (an outer guard's, worker.terminate(), process.exit() in a worker): let it unwind.
    FreeArm(a);
    return nullptr;
  }
  bool is_promise = false;
  napi_is_promise(env, result, &is_promise);
  if (is_promise) {
    ts->async_token = a->id;
    return result;
  }
  FreeArm(a);
  return result;
}

Napi::Value AsyncToken(const Napi::CallbackInfo& info) {
  ThreadState* ts = Ts(info.Env());
  const uint64_t t = ts->async_token;
  ts->async_token = 0;
  return Napi::Number::New(info.Env(), static_cast<double>(t));
}

Napi::Value TakeStop(const Napi::CallbackInfo& info) {
  ThreadState* ts = Ts(info.Env());
  Arm* a = ts->last_stop;
  if (a == nullptr) return info.Env().Undefined();
  Napi::Object o = StopInfo(info.Env(), a);
  FreeArm(a);
  return o;
}

// settle(token, final): the async part ended (final) or its JS deadline timer ran. Returns the
// stop information when the arm was stopped (or its deadline fired), else undefined. Frees it
// when final, or when it was stopped.
Napi::Value Settle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = Ts(env);
  const uint64_t id = static_cast<uint64_t>(OptNumber(info[0], 0));
  Arm* a;
  bool stopped;
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    a = FindArm(ts, id);
    if (a == nullptr) return env.Undefined();
    // Unblocked counts as stopped: the async part then fails because of what we did (EINTR,
    // a killed child), and the caller reports that failure as the hard timeout.
    stopped = a->stopped || a->native || (a->custom && a->phase != Phase::kArmed);
  }
  if (!stopped && !info[1].ToBoolean().Value()) return env.Undefined();
  Napi::Value out = stopped ? Napi::Value(StopInfo(env, a)) : env.Undefined();
  FreeArm(a);
  return out;
}

// Looks up a thread handle. Returns "ok" with *out set, or the reason it cannot be used.
const char* Resolve(const Napi::CallbackInfo& info, ThreadState** out) {
  const double generation = OptNumber(info[0], -1);
  const double tid = OptNumber(info[1], -1);
  const double pid = OptNumber(info[2], -1);
  if (pid != getpid()) return "foreign";
  ThreadState* ts = FindThread(static_cast<uint64_t>(generation));
  if (ts == nullptr) return "unknown";
  if (ts->tid != tid) return "mismatch";
  if (!ts->alive) return ts->killed ? "killed" : "stale";
  *out = ts;
  return "ok";
}

// interrupt(generation, tid, pid, name, message): fire the innermost armed guard of that thread
// now, with this error instead of a timeout.
Napi::Value Interrupt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = OptString(info[3]);
  const std::string message = OptString(info[4]);
  std::lock_guard<std::mutex> lock(*g_mu);
  ThreadState* ts = nullptr;
  const char* why = Resolve(info, &ts);
  if (ts == nullptr) return Napi::String::New(env, why);
  Arm* target = nullptr;
  for (auto it = ts->arms.rbegin(); it != ts->arms.rend(); ++it) {
    if (!(*it)->stopped && (*it)->watched) {
      target = *it;
      break;
    }
  }
  if (target == nullptr) return Napi::String::New(env, "noguard");
  if (target->phase != Phase::kArmed) return Napi::String::New(env, "firing");
  target->custom = true;
  target->custom_name = name;
  target->custom_message = message;
  WatchdogFireNow(target);
  return Napi::String::New(env, "ok");
}

// unblock(generation, tid, pid): EINTR signal, then kill the thread's child process trees.
Napi::Value Unblock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(*g_mu);
  ThreadState* ts = nullptr;
  const char* why = Resolve(info, &ts);
  if (ts == nullptr) return Napi::String::New(env, why);
  std::string diagnosis = DiagnoseJson(getpid(), ts->tid);
  const bool signalled = ts->tid != Gettid() && SignalThread(ts->tid);
  const std::string killed = KillDescendants(getpid(), ts->tid);
  return Napi::String::New(env, std::string("{\"signalled\":") + (signalled ? "true" : "false") +
                                    ",\"killed\":" + killed + ",\"before\":" + diagnosis + "}");
}

// diagnose(pid, tid): /proc view of any thread of any process we may read.
Napi::Value Diagnose(const Napi::CallbackInfo& info) {
  const pid_t pid = static_cast<pid_t>(OptNumber(info[0], 0));
  const pid_t tid = static_cast<pid_t>(OptNumber(info[1], 0));
  return Napi::String::New(info.Env(), DiagnoseJson(pid, tid));
}

// kill(generation, tid, pid): the hard thread kill. Refused for the main thread, the calling
// thread, and any thread that still runs JavaScript or still returns to its event loop.
Napi::Value Kill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = nullptr;
  int js_before, loop_before;
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    const char* why = Resolve(info, &ts);
    if (ts == nullptr) return Napi::String::New(env, why);
    if (ts->is_main) return Napi::String::New(env, "main");
    if (ts->tid == Gettid()) return Napi::String::New(env, "self");
    js_before = ts->js_probe_hits.load();
    loop_before = ts->loop_probe_hits.load();
    RequestProbeInterrupt(ts);
    ProbeLoop(ts, 0);
  }
  const double wait_ms = OptNumber(info[3], 100);
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(wait_ms * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (ts->js_probe_hits.load() != js_before) return Napi::String::New(env, "running-js");
    if (ts->loop_probe_hits.load() != loop_before) return Napi::String::New(env, "responsive");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    if (!ts->alive) return Napi::String::New(env, "stale");
    if (!KillThreadNow(ts->tid)) return Napi::String::New(env, "nosignal");
    ts->alive = false;
    ts->killed = true;
    for (Arm* a : ts->arms) Unwatch(a);
  }
  // Wait for the kernel to remove the task.
  const std::string dir = "/proc/self/task/" + std::to_string(ts->tid);
  for (int i = 0; i < 500 && access(dir.c_str(), F_OK) == 0; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return Napi::String::New(env, access(dir.c_str(), F_OK) == 0 ? "pending" : "ok");
}

void CallStuckListener(napi_env env, napi_value fn, void*, void* data) {
  auto* json = static_cast<std::string*>(data);
  if (env != nullptr && fn != nullptr) {
    napi_value arg, undefined;
    napi_get_undefined(env, &undefined);
    if (napi_create_string_utf8(env, json->data(), json->size(), &arg) == napi_ok)
      napi_call_function(env, undefined, fn, 1, &arg, nullptr);
  }
  delete json;
}

// setStuckListener(fn | null): fn(json) runs on this thread when another thread gets stuck.
Napi::Value SetStuckListener(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  ThreadState* ts = Ts(env);
  napi_threadsafe_function old, fresh = nullptr;
  if (info[0].IsFunction()) {
    napi_value name;
    napi_create_string_utf8(env, "hardtimeout.stuck", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, info[0], nullptr, name, 0, 1, nullptr, nullptr,
                                        nullptr, CallStuckListener, &fresh) != napi_ok)
      return info.Env().Undefined();
    napi_unref_threadsafe_function(env, fresh);
  }
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    old = ts->stuck_listener;
    ts->stuck_listener = fresh;
  }
  if (old != nullptr) napi_release_threadsafe_function(old, napi_tsfn_abort);
  return info.Env().Undefined();
}

// setStuckLog(arrayBuffer | null, path, grown): the stuck log of this thread (registry.h).
// `grown`: the buffer is a larger copy of the current one, whose text the watchdog may already
// have appended in part; otherwise it starts a new text.
Napi::Value SetStuckLog(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  ThreadState* ts = Ts(env);
  void* data = nullptr;
  size_t capacity = 0;
  napi_ref fresh = nullptr;
  if (info[0].IsArrayBuffer()) {
    if (napi_get_arraybuffer_info(env, info[0], &data, &capacity) != napi_ok || capacity < 8 ||
        napi_create_reference(env, info[0], 1, &fresh) != napi_ok) {
      Napi::TypeError::New(info.Env(), "setStuckLog: not a usable ArrayBuffer").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
  }
  napi_ref old = ts->log_ref;
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    ts->log_data = static_cast<char*>(data);
    ts->log_capacity = capacity;
    ts->log_path = data != nullptr ? OptString(info[1]) : std::string();
    if (!info[2].ToBoolean().Value()) ts->log_written = 0;
  }
  ts->log_ref = fresh;
  // After the swap: the watchdog can no longer be reading the old buffer.
  if (old != nullptr) napi_delete_reference(env, old);
  return info.Env().Undefined();
}

void SetRef(napi_env env, napi_ref* ref, const Napi::Value& value) {
  if (*ref != nullptr) napi_delete_reference(env, *ref);
  *ref = nullptr;
  if (value.IsFunction()) napi_create_reference(env, value, 1, ref);
}

// configure(microtaskStops, afterMicrotaskStop?, onIdleFire?)
Napi::Value Configure(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  ThreadState* ts = Ts(env);
  ts->microtask_stops = info[0].ToBoolean().Value();
  SetRef(env, &ts->after_microtask_stop, info[1]);
  SetRef(env, &ts->on_idle_fire, info[2]);
  return info.Env().Undefined();
}

// killDescendants(pid, tid): SIGSTOP then SIGKILL every descendant of one thread (tid > 0) or
// of a whole process (tid == 0).
Napi::Value KillTree(const Napi::CallbackInfo& info) {
  const pid_t pid = static_cast<pid_t>(OptNumber(info[0], 0));
  const pid_t tid = static_cast<pid_t>(OptNumber(info[1], 0));
  return Napi::String::New(info.Env(), KillDescendants(pid, tid));
}

// dieWithParent(descendants): SIGKILL this process (and, with descendants, every process below
// it first) when its parent dies (PR_SET_PDEATHSIG).
Napi::Value DieWithParentJs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), ht::DieWithParent(info[0].ToBoolean().Value()));
}

// Node unloads (dlclose) an addon when the last environment that loaded it goes away, e.g. when
// the only worker thread using it exits. Our watchdog thread runs code from this library for the
// life of the process, and the registry must outlive every thread: pin the library in memory.
void PinLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&PinLibrary), &info) != 0 && info.dli_fname != nullptr)
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  });
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinLibrary();
  ThreadState* ts = RegisterThread(env);
  napi_set_instance_data(env, ts, nullptr, nullptr);
  const bool signals = InstallSignals();
  if (InstallThreadHooks(ts) != napi_ok) {
    Napi::Error::New(env, "hardtimeout: could not install the thread hooks").ThrowAsJavaScriptException();
    return exports;
  }
  Napi::Object stopped = Napi::Object::New(env);
  napi_create_reference(env, stopped, 1, &ts->stopped_sentinel);

  exports.Set("STOPPED", stopped);
  exports.Set("tid", Napi::Number::New(env, ts->tid));
  exports.Set("generation", Napi::Number::New(env, static_cast<double>(ts->generation)));
  exports.Set("isMainThread", Napi::Boolean::New(env, ts->is_main));
  exports.Set("signals", Napi::Boolean::New(env, signals));
  exports.Set("unblockSignal", Napi::Number::New(env, UnblockSignal()));
  napi_value run;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, nullptr, &run);
  exports.Set("run", Napi::Value(env, run));
  exports.Set("asyncToken", Napi::Function::New(env, AsyncToken, "asyncToken"));
  exports.Set("takeStop", Napi::Function::New(env, TakeStop, "takeStop"));
  exports.Set("settle", Napi::Function::New(env, Settle, "settle"));
  exports.Set("interrupt", Napi::Function::New(env, Interrupt, "interrupt"));
  exports.Set("unblock", Napi::Function::New(env, Unblock, "unblock"));
  exports.Set("diagnose", Napi::Function::New(env, Diagnose, "diagnose"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("setStuckListener", Napi::Function::New(env, SetStuckListener, "setStuckListener"));
  exports.Set("configure", Napi::Function::New(env, Configure, "configure"));
  exports.Set("setStuckLog", Napi::Function::New(env, SetStuckLog, "setStuckLog"));
  exports.Set("killDescendants", Napi::Function::New(env, KillTree, "killDescendants"));
  exports.Set("dieWithParent", Napi::Function::New(env, DieWithParentJs, "dieWithParent"));
  return exports;
}

}  // namespace ht

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ht::Init(env, exports); }

NODE_API_MODULE(hardtimeout, InitModule)
