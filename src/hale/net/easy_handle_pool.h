// EasyHandlePool: curl easy handles kept between transfers, so that a probe does not allocate a
// new handle (and its buffers) every time. A handle comes back reset (curl_easy_reset: no option
// of the last transfer carries over); the connection it used stays in the CurlMulti's cache, not
// in the handle. It keeps as many idle handles as are in use at the moment, and at least kKeep:
// a host whose probes run hundreds at a time (100,000 checks) reuses its handles instead of
// making and freeing one a probe (5 % of its CPU), and one that runs a few at a time (10,000
// checks at 10 s: about one) gives back the handles of a start-up burst as its transfers end.
// Thread-safety: one thread, the io_context's, like the CurlMulti.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <vector>

namespace hale {

class EasyHandlePool {
 public:
  static constexpr std::size_t kKeep = 32;

  EasyHandlePool() = default;
  ~EasyHandlePool();
  EasyHandlePool(const EasyHandlePool&) = delete;
  EasyHandlePool& operator=(const EasyHandlePool&) = delete;

  // A reset handle, or a new one; null only when curl cannot allocate one.
  CURL* take();
  // `easy` (taken from this pool, not attached to any multi handle) is reset and kept, or cleaned
  // up when as many are idle as are in use (and at least kKeep). Null is ignored.
  void give_back(CURL* easy);
  std::size_t idle() const { return idle_.size(); }
  std::size_t in_use() const { return in_use_; }

 private:
  std::vector<CURL*> idle_;
  std::size_t in_use_ = 0;  // taken and not given back
};

}  // namespace hale
