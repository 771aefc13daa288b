// The JavaScript bindings. @hardtimeout/core is the only caller; its TypeScript validates every
// argument before it gets here, and this file still refuses malformed ones without crashing.
#include <napi.h>

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "interrupt.h"
#include "platform.h"
#include "registry.h"
#include "watchdog.h"

namespace ht {

namespace {

// This env's thread, set at module init. nullptr only if Node-API failed there; the bindings
// then throw instead of touching it.
ThreadState* Ts(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<ThreadState*>(data);
}

// For the Napi:: bindings: this env's thread, or nullptr with a JS error thrown.
ThreadState* TsOrThrow(Napi::Env env) {
  ThreadState* ts = Ts(env);
  if (ts == nullptr) Napi::Error::New(env, "hardtimeout: this thread was not initialised").ThrowAsJavaScriptException();
  return ts;
}

std::string OptString(const Napi::Value& v) {
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

double OptNumber(const Napi::Value& v, double fallback) {
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

Napi::Object StopInfo(Napi::Env env, Arm* a) EXCLUDES(g_mu) {
  Napi::Object o = Napi::Object::New(env);
  if (napi_value err = a->error.Get(env)) o.Set("error", Napi::Value(env, err));
  MutexLock lock(g_mu);
  WaitNotBusy(a);
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
  if (!a->stack.empty()) o.Set("busyStack", a->stack);
  if (!a->diagnosis.empty()) o.Set("diagnosis", a->diagnosis);
  if (!a->unblock.empty()) o.Set("unblock", a->unblock);
  if (!a->starved_by.empty()) o.Set("starvedBy", a->starved_by);
  if (a->custom) {
    o.Set("customName", a->custom_name);
    o.Set("customMessage", a->custom_message);
  }
  return o;
}

// A string argument copied into `out` (its embedded NULs kept: Node-API copies `len` bytes).
// Anything but a string leaves `out` empty.
void CopyString(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok || len == 0) return;
  out->resize(len);
  if (napi_get_value_string_utf8(env, v, &(*out)[0], len + 1, &len) != napi_ok) len = 0;
  out->resize(len);
}

// run()'s optional arguments, into the arm. Raw Node-API calls, one per argument: a wrong type
// simply fails the call and keeps the default (core validated the options). This runs for every
// guarded call, so every call counts; the label is copied into the arm's own buffer (no
// allocation) in one call.
void ReadPlan(napi_env env, size_t argc, const napi_value* argv, Arm* a) {
  if (argc > 3) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[3], a->label, sizeof(a->label), &len) == napi_ok)
      a->label_len = len;
  }
  double stuck_after_ms = 0;
  if (argc > 4 && napi_get_value_double(env, argv[4], &stuck_after_ms) == napi_ok && stuck_after_ms > 0)
    a->stuck_after_ns = static_cast<int64_t>(stuck_after_ms * 1e6);
  if (argc > 5) CopyString(env, argv[5], &a->plan.report_path);
  bool kill_process = false;
  if (argc > 6 && napi_get_value_bool(env, argv[6], &kill_process) == napi_ok) a->plan.kill_process = kill_process;
  // exec: one string, the program's arguments each ended by "\0" (one Node-API call, not one per
  // argument).
  if (argc > 7) CopyString(env, argv[7], &a->plan.exec);
}

// The STOPPED sentinel, with the arm kept for takeStop(). nullptr (and an exception) if the
// sentinel cannot be read, which leaves the caller with an error instead of a wrong result.
napi_value ReturnStopped(napi_env env, ThreadState* ts, Arm* a) {
  ts->last_stop = a;
  napi_value sentinel = ts->stopped_sentinel.Get(env);
  if (sentinel == nullptr) napi_throw_error(env, nullptr, "hardtimeout: the STOPPED sentinel is gone");
  return sentinel;
}

// fn was terminated by our interrupt (ts->terminating named this arm). Disarm first (so the
// watchdog cannot inject again), then cancel, then drop the termination Node-API stored as the
// call's exception. Returns the sentinel, or nullptr when fn returned after all.
napi_value EndTerminated(napi_env env, ThreadState* ts, Arm* a, napi_status status) EXCLUDES(g_mu) {
  {
    MutexLock lock(g_mu);
    a->stopped = status != napi_ok;
    a->stopped_ns = NowNs();
    Unwatch(a);
    RearmStarved(ts, a, a->stopped_ns);
  }
  ts->terminating = 0;
  ts->isolate->CancelTerminateExecution();
  napi_value ignored;
  // Fails only when there is no exception to clear, which is what we want.
  (void)napi_get_and_clear_last_exception(env, &ignored);
  if (status == napi_ok) {
    // fn returned between our interrupt and the termination taking effect: it finished, so it
    // is not stopped; the cancel above kept the termination from hitting our caller.
    a->error.Reset();
    return nullptr;
  }
  return ReturnStopped(env, ts, a);
}

// fn threw. If we had unblocked it (EINTR, its child killed) and it threw before our interrupt
// could run, that exception is our doing: it becomes the stop's error (its stack names the call)
// and the sentinel is returned. Otherwise nullptr: an ordinary exception (Node-API rethrows it
// when we return), or a termination that is not ours (an outer guard's, worker.terminate(),
// process.exit() in a worker), which must unwind.
napi_value EndThrown(napi_env env, ThreadState* ts, Arm* a) EXCLUDES(g_mu) {
  if (ts->isolate->IsExecutionTerminating()) return nullptr;
  {
    MutexLock lock(g_mu);
    if (!a->native) return nullptr;
    a->stopped = true;
    a->stopped_ns = NowNs();
    Unwatch(a);
  }
  napi_value exception;
  if (napi_get_and_clear_last_exception(env, &exception) == napi_ok && !a->error)
    a->error.Set(env, exception);
  return ReturnStopped(env, ts, a);
}

// run(fn, thisArg, timeoutMs, label?, stuckAfterMs?, reportPath?, killProcess?, exec?)
// The guard frame. Calls fn with the deadline armed. Returns fn's result; or, when the deadline
// stopped fn in this frame, the STOPPED sentinel (details via takeStop()). When fn returns a
// promise the arm stays armed for its async part (token via asyncToken()).
napi_value Run(napi_env env, napi_callback_info info) {
  ThreadState* ts = Ts(env);
  size_t argc = 8;
  napi_value argv[8];
  if (ts == nullptr || napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 3) {
    napi_throw_type_error(env, nullptr, "run(fn, thisArg, timeoutMs, ...) needs three arguments");
    return nullptr;
  }
  double timeout_ms = 0;
  if (napi_get_value_double(env, argv[2], &timeout_ms) != napi_ok || !(timeout_ms > 0)) {
    napi_throw_range_error(env, nullptr, "timeoutMs must be a positive number");
    return nullptr;
  }
  std::unique_ptr<Arm> owned = NewArm(ts, timeout_ms);
  ReadPlan(env, argc, argv, owned.get());
  Arm* a = Watch(std::move(owned));

  a->in_frame = true;
  ts->frame_depth++;
  napi_value result = nullptr;
  const napi_status status = napi_call_function(env, argv[1], argv[0], 0, nullptr, &result);
  ts->frame_depth--;
  a->in_frame = false;

  if (ts->terminating == a->id) {
    if (napi_value stopped = EndTerminated(env, ts, a, status)) return stopped;
  } else if (status != napi_ok) {
    if (napi_value stopped = EndThrown(env, ts, a)) return stopped;
    FreeArm(a);
    return nullptr;
  }
  bool is_promise = false;
  if (napi_is_promise(env, result, &is_promise) == napi_ok && is_promise) {
    ts->async_token = a->id;
    return result;
  }
  FreeArm(a);
  return result;
}

Napi::Value AsyncToken(const Napi::CallbackInfo& info) {
  ThreadState* ts = TsOrThrow(info.Env());
  if (ts == nullptr) return info.Env().Undefined();
  const uint64_t t = ts->async_token;
  ts->async_token = 0;
  return Napi::Number::New(info.Env(), static_cast<double>(t));
}

Napi::Value TakeStop(const Napi::CallbackInfo& info) {
  ThreadState* ts = TsOrThrow(info.Env());
  if (ts == nullptr || ts->last_stop == nullptr) return info.Env().Undefined();
  Arm* a = ts->last_stop;
  Napi::Object o = StopInfo(info.Env(), a);
  FreeArm(a);
  return o;
}

// settle(token, final): the async part ended (final) or its JS deadline timer ran. Returns the
// stop information when the arm was stopped (or its deadline fired), else undefined. Frees it
// when final, or when it was stopped.
Napi::Value Settle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = TsOrThrow(env);
  if (ts == nullptr) return env.Undefined();
  const uint64_t id = static_cast<uint64_t>(OptNumber(info[0], 0));
  Arm* a;
  bool stopped;
  {
    MutexLock lock(g_mu);
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

// rearmed(token): for an arm whose deadline passed while another arm's loop starved the thread
// (and was given again): { leftMs, starvedBy }. Else undefined. The JS deadline timer asks, so that
// it waits for the new deadline instead of deciding at the old one.
Napi::Value Rearmed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = TsOrThrow(env);
  if (ts == nullptr) return env.Undefined();
  const uint64_t id = static_cast<uint64_t>(OptNumber(info[0], 0));
  double left_ms;
  std::string by;
  {
    MutexLock lock(g_mu);
    Arm* a = FindArm(ts, id);
    if (a == nullptr || a->starved_by.empty()) return env.Undefined();
    left_ms = (a->deadline_ns - NowNs()) / 1e6;
    by = a->starved_by;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("leftMs", left_ms);
  o.Set("starvedBy", by);
  return o;
}

// setAsyncOwner(Float64Array | null): the cell where JS keeps the id of the arm whose promise
// reaction runs now, while async parts overlap (interrupt.cc reads it).
Napi::Value SetAsyncOwner(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  ThreadState* ts = TsOrThrow(info.Env());
  if (ts == nullptr) return info.Env().Undefined();
  double* cell = nullptr;
  if (info[0].IsTypedArray()) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, info[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float64_array || length < 1) {
      Napi::TypeError::New(info.Env(), "setAsyncOwner: needs a Float64Array").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    cell = static_cast<double*>(data);
  }
  if (!ts->async_owner_ref.Set(env, cell != nullptr ? static_cast<napi_value>(info[0]) : nullptr)) {
    Napi::Error::New(info.Env(), "setAsyncOwner: could not keep the buffer").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  ts->async_owner = cell;
  return info.Env().Undefined();
}

// Looks up a thread handle. Returns "ok" with *out set, or the reason it cannot be used.
const char* Resolve(const Napi::CallbackInfo& info, ThreadState** out) REQUIRES(g_mu) {
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
  MutexLock lock(g_mu);
  ThreadState* ts = nullptr;
  const char* why = Resolve(info, &ts);
  if (ts == nullptr) return Napi::String::New(env, why);
  Arm* target = nullptr;
  for (auto it = ts->arms.rbegin(); it != ts->arms.rend(); ++it) {
    if (!(*it)->stopped && (*it)->watched) {
      target = it->get();
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
  pid_t tid;
  {
    MutexLock lock(g_mu);
    ThreadState* ts = nullptr;
    const char* why = Resolve(info, &ts);
    if (ts == nullptr) return Napi::String::New(env, why);
    tid = ts->tid;
  }
  const std::string diagnosis = DiagnoseJson(getpid(), tid);
  bool signalled = false;
  {
    // Signalled only while the thread is still the one the handle named (alive, not killed).
    MutexLock lock(g_mu);
    ThreadState* ts = nullptr;
    Resolve(info, &ts);
    signalled = ts != nullptr && tid != Gettid() && SignalThread(tid);
  }
  const std::string killed = KillDescendants(getpid(), tid);
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
    MutexLock lock(g_mu);
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
    MutexLock lock(g_mu);
    if (!ts->alive) return Napi::String::New(env, "stale");
    if (!KillThreadNow(ts->tid)) return Napi::String::New(env, "nosignal");
    ts->alive = false;
    ts->killed = true;
    for (const auto& a : ts->arms) Unwatch(a.get());
  }
  // Wait for the kernel to remove the task.
  for (int i = 0; i < 500 && ThreadExists(ts->tid); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return Napi::String::New(env, ThreadExists(ts->tid) ? "pending" : "ok");
}

// Runs on the listening thread; owns the report copy NotifyListeners made (env and fn are null
// when that thread's env is going away).
void CallStuckListener(napi_env env, napi_value fn, void*, void* data) {
  const std::unique_ptr<std::string> json(static_cast<std::string*>(data));
  if (env == nullptr || fn == nullptr) return;
  napi_value arg, undefined;
  if (napi_get_undefined(env, &undefined) != napi_ok ||
      napi_create_string_utf8(env, json->data(), json->size(), &arg) != napi_ok)
    return;
  // An exception the listener throws is reported as uncaught by Node, as for any callback.
  napi_call_function(env, undefined, fn, 1, &arg, nullptr);
}

// setStuckListener(fn | null): fn(json) runs on this thread when another thread gets stuck.
Napi::Value SetStuckListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = TsOrThrow(env);
  if (ts == nullptr) return env.Undefined();
  napi_threadsafe_function old, fresh = nullptr;
  if (info[0].IsFunction()) {
    napi_value name;
    if (napi_create_string_utf8(env, "hardtimeout.stuck", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_threadsafe_function(env, info[0], nullptr, name, 0, 1, nullptr, nullptr,
                                        nullptr, CallStuckListener, &fresh) != napi_ok) {
      Napi::Error::New(env, "setStuckListener: Node-API could not create the listener").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // Unref'd: a listener must not keep the process alive. Failing that, it would: released.
    if (napi_unref_threadsafe_function(env, fresh) != napi_ok) {
      (void)napi_release_threadsafe_function(fresh, napi_tsfn_abort);
      Napi::Error::New(env, "setStuckListener: Node-API could not unref the listener").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  {
    MutexLock lock(g_mu);
    old = ts->stuck_listener;
    ts->stuck_listener = fresh;
  }
  // Nothing to undo if the release fails: the listener is no longer called either way.
  if (old != nullptr) (void)napi_release_threadsafe_function(old, napi_tsfn_abort);
  return env.Undefined();
}

// setStuckLog(arrayBuffer | null, path, grown): the stuck log of this thread (registry.h).
// `grown`: the buffer is a larger copy of the current one, whose text the watchdog may already
// have appended in part; otherwise it starts a new text.
Napi::Value SetStuckLog(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = TsOrThrow(env);
  if (ts == nullptr) return env.Undefined();
  void* data = nullptr;
  size_t capacity = 0;
  Ref fresh;
  if (info[0].IsArrayBuffer()) {
    if (napi_get_arraybuffer_info(env, info[0], &data, &capacity) != napi_ok || capacity < 8 ||
        !fresh.Set(env, info[0])) {
      Napi::TypeError::New(env, "setStuckLog: not a usable ArrayBuffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  {
    MutexLock lock(g_mu);
    ts->log_data = static_cast<char*>(data);
    ts->log_capacity = capacity;
    ts->log_path = data != nullptr ? OptString(info[1]) : std::string();
    if (!info[2].ToBoolean().Value()) ts->log_written = 0;
  }
  // After the swap: the watchdog can no longer be reading the old buffer, which goes now.
  ts->log_ref.Take(fresh);
  return env.Undefined();
}

// configure(microtaskStops, afterMicrotaskStop?, onIdleFire?)
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadState* ts = TsOrThrow(env);
  if (ts == nullptr) return env.Undefined();
  ts->microtask_stops = info[0].ToBoolean().Value();
  if (!ts->after_microtask_stop.Set(env, info[1].IsFunction() ? napi_value(info[1]) : nullptr) ||
      !ts->on_idle_fire.Set(env, info[2].IsFunction() ? napi_value(info[2]) : nullptr))
    Napi::Error::New(env, "configure: Node-API could not keep the callbacks").ThrowAsJavaScriptException();
  return env.Undefined();
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
  return Napi::Boolean::New(info.Env(), DieWithParent(info[0].ToBoolean().Value()));
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
  const bool signals = InstallSignals();
  Napi::Object stopped = Napi::Object::New(env);
  if (napi_set_instance_data(env, ts, nullptr, nullptr) != napi_ok ||
      !ts->stopped_sentinel.Set(env, stopped) || InstallThreadHooks(ts) != napi_ok) {
    Napi::Error::New(env, "hardtimeout: could not set up this thread (Node-API failed)").ThrowAsJavaScriptException();
    return exports;
  }

  exports.Set("STOPPED", stopped);
  exports.Set("tid", Napi::Number::New(env, ts->tid));
  exports.Set("generation", Napi::Number::New(env, static_cast<double>(ts->generation)));
  exports.Set("isMainThread", Napi::Boolean::New(env, ts->is_main));
  exports.Set("signals", Napi::Boolean::New(env, signals));
  exports.Set("unblockSignal", Napi::Number::New(env, UnblockSignal()));
  // run is the hot path: a raw Node-API callback, without node-addon-api's CallbackInfo.
  napi_value run;
  if (napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, nullptr, &run) != napi_ok) {
    Napi::Error::New(env, "hardtimeout: could not create run()").ThrowAsJavaScriptException();
    return exports;
  }
  exports.Set("run", Napi::Value(env, run));
  exports.Set("asyncToken", Napi::Function::New(env, AsyncToken, "asyncToken"));
  exports.Set("takeStop", Napi::Function::New(env, TakeStop, "takeStop"));
  exports.Set("settle", Napi::Function::New(env, Settle, "settle"));
  exports.Set("rearmed", Napi::Function::New(env, Rearmed, "rearmed"));
  exports.Set("setAsyncOwner", Napi::Function::New(env, SetAsyncOwner, "setAsyncOwner"));
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
