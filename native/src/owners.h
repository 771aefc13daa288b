// Owners of the resources the addon opens: each closes or deletes what it holds when it goes out
// of scope, so that no early return leaks one. Move-only.
#pragma once

#include <node_api.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace ht {

// A file descriptor; -1 holds nothing.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A stdio stream. Close() reports whether the buffered data reached the file.
class File {
 public:
  explicit File(FILE* f) : f_(f) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (f_ != nullptr) fclose(f_);
  }
  FILE* get() const { return f_; }
  bool Close() {
    FILE* f = std::exchange(f_, nullptr);
    return f != nullptr && fclose(f) == 0;
  }

 private:
  FILE* f_;
};

// A directory stream.
class Dir {
 public:
  explicit Dir(DIR* d) : d_(d) {}
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir() {
    if (d_ != nullptr) closedir(d_);
  }
  DIR* get() const { return d_; }

 private:
  DIR* d_;
};

// A strong napi_ref. Created and destroyed on the JS thread of its env (Node-API requires it);
// the owner of a Ref makes sure of that (an Arm is freed by its own thread, a ThreadState's refs
// live as long as the process).
class Ref {
 public:
  Ref() = default;
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { Reset(); }

  explicit operator bool() const { return ref_ != nullptr; }
  // Holds `value` instead (or nothing, for nullptr). False when Node-API refused.
  bool Set(napi_env env, napi_value value) {
    Reset();
    if (value == nullptr) return true;
    if (napi_create_reference(env, value, 1, &ref_) != napi_ok) {
      ref_ = nullptr;
      return false;
    }
    env_ = env;
    return true;
  }
  // The value held, or nullptr.
  napi_value Get(napi_env env) const {
    napi_value v = nullptr;
    if (ref_ == nullptr || napi_get_reference_value(env, ref_, &v) != napi_ok) return nullptr;
    return v;
  }
  void Reset() {
    if (ref_ != nullptr) napi_delete_reference(env_, ref_);
    ref_ = nullptr;
    env_ = nullptr;
  }
  // Moves what o holds here (both of the same thread).
  void Take(Ref& o) {
    Reset();
    env_ = std::exchange(o.env_, nullptr);
    ref_ = std::exchange(o.ref_, nullptr);
  }

 private:
  napi_env env_ = nullptr;
  napi_ref ref_ = nullptr;
};

// A Node-API handle scope, for native code that runs outside any JS call (an interrupt, a
// microtask hook): the values created inside it are released with it.
class HandleScope {
 public:
  explicit HandleScope(napi_env env) : env_(env) {
    if (napi_open_handle_scope(env, &scope_) != napi_ok) scope_ = nullptr;
  }
  HandleScope(const HandleScope&) = delete;
  HandleScope& operator=(const HandleScope&) = delete;
  // Closing fails only for a scope that is not the innermost, which cannot happen here.
  ~HandleScope() {
    if (scope_ != nullptr) (void)napi_close_handle_scope(env_, scope_);
  }
  bool ok() const { return scope_ != nullptr; }

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
};

}  // namespace ht
