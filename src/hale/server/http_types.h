// The request and response the Router sees: plain values, no Beast types, so routing is a
// pure function tested without sockets and without compiling Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hale {

// Views into the connection's parsed request: valid for the duration of one handler call.
// Views, not copies: /readyz is answered tens of thousands of times a second and must not
// allocate for what it only reads.
struct HttpRequest {
  std::string_view method = "GET";  // upper case
  std::string_view target = "/";    // path and query, as sent
  std::string_view accept;
  std::string_view authorization;
  std::string_view host;  // the Host header, "" when absent
  std::string_view body;
  // Bytes the body had on the wire; more than body.size() when only its tail was kept (pings).
  std::uint64_t body_bytes = 0;
};

// What a request may carry as its body: at most `max_bytes` (never more than the server's
// max_body_bytes; over it: 413, before the body is read when it announces its length), or,
// with `keep_last` > 0, any length of which only the last `keep_last` bytes are kept
// (heartbeat pings: a job's output, never refused).
struct BodyRule {
  std::size_t max_bytes = 0;
  std::size_t keep_last = 0;
};

struct HttpResponse {
  int status = 200;
  // Always a string literal (static storage): set from the router's fixed list of types.
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type / no-store
  // GET /api/v1/events: the connection becomes a Server-Sent Events stream of the server's
  // EventHub from the request's Last-Event-ID on (status, type and body are not used).
  bool event_stream = false;
  // Answered later, off the loop (SPEC §10: a read of the history waits for SQLite on the
  // history's thread, not on the loop): the server calls `deferred` at once with a `reply`
  // that takes the real answer, once, from any thread. Status, type and body are not used.
  using Reply = std::function<void(HttpResponse)>;
  std::function<void(Reply)> deferred;
};

}  // namespace hale
