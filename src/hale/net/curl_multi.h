// CurlMulti: libcurl's multi interface driven by an Asio io_context (the socket and timer
// callbacks of curl_multi_socket_action), so that every HTTP transfer of every check shares the
// one event loop and none blocks it. Used by the http probe now and by notifiers later.
// Thread-safety: everything happens on the io_context's thread.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <memory>

#include "hale/net/easy_handle_pool.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class CurlMulti {
 public:
  // Called once per transfer with curl's result code; the easy handle is still attached to
  // nothing and belongs to the caller again (read CURLINFO_* from it, then reuse or clean up).
  using Completion = std::function<void(CURLcode)>;

  explicit CurlMulti(boost::asio::io_context& io);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts a configured easy handle. The caller keeps ownership of `easy` and must keep it
  // alive until `done` runs or remove() is called.
  void add(CURL* easy, Completion done);
  // Stops a transfer in flight without calling its completion. Harmless if not in flight.
  void remove(CURL* easy);
  // Number of transfers in flight.
  std::size_t active() const;
  // Easy handles to reuse for this multi's transfers; shared, so that a transfer object that
  // outlives the CurlMulti can still give its handle back.
  const std::shared_ptr<EasyHandlePool>& handles() const;

  // Idle connections kept for reuse (keep-alive), all targets together: beyond it curl closes
  // the one idle longest. Each holds a socket.
  static constexpr long kMaxIdleConnections = 256;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hale
