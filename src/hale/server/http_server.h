// HttpServer: the Beast HTTP/1.1 listener and sessions behind every endpoint. It owns
// transport concerns only (keep-alive, limits, timeouts); what to answer is the Handler's job.
//
// Hardening (SPEC §8): headers over max_header_bytes answer 431, bodies over max_body_bytes
// 413, a malformed request 400; an idle keep-alive connection is closed after idle_timeout and a
// request must arrive whole within read_timeout of its first byte (slow clients); at most
// max_connections are open: a newcomer is always taken and an older connection gives way
// (idle first, fresh requests last; see evict_one). GET /api/v1/events turns a connection into
// a Server-Sent Events stream of events().
// Thread-safety: everything runs on the io_context's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "hale/config.h"
#include "hale/server/event_hub.h"
#include "hale/server/http_types.h"
#include "hale/status.h"

namespace boost::asio {
class io_context;
}

namespace hale {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Decided from a request's method and target once its header is in (see BodyRule).
  using BodyLimit = std::function<BodyRule(std::string_view method, std::string_view target)>;

  // `body_limit` empty: every request may send up to limits.max_body_bytes. Deadlines are
  // measured on `clock`; the sweep that enforces them is the loop's own (100 ms).
  HttpServer(boost::asio::io_context& io, const ServerConfig& limits, Handler handler,
             BodyLimit body_limit = {}, const Clock& clock = system_clock());
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. `address` is "host:port" ("127.0.0.1:8099", "[::1]:0",
  // "localhost:8099", "0.0.0.0:8099"); port 0 picks a free port (see port()).
  Status listen(std::string_view address);
  std::uint16_t port() const;
  // Stops accepting and closes every connection.
  void stop();

  // What GET /api/v1/events streams (an answer with event_stream set): publish into it.
  EventHub& events();

  struct Impl;  // implementation detail, public only so that sessions can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace hale
