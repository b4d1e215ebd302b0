// EasyHandlePool: curl easy handles kept between transfers, so that a probe does not allocate a
// new handle (and its buffers) every time. A handle comes back reset (curl_easy_reset: no option
// of the last transfer carries over); the connection it used stays in the CurlMulti's cache, not
// in the handle. At most kKeep idle handles are kept: about as many as run at once in steady state.
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
  // `easy` (not attached to any multi handle) is reset and kept, or cleaned up when kKeep are
  // idle already. Null is ignored.
  void give_back(CURL* easy);
  std::size_t idle() const { return idle_.size(); }

 private:
  std::vector<CURL*> idle_;
};

}  // namespace hale
