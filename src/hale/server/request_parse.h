// The steps of reading one request that HttpServer's session and the http_request fuzz target
// (tests/fuzz) must take alike, so that the fuzzer exercises what the daemon runs: the route's body
// rule set once the head is in, and the request handed to the router.
// Included only by http_server.cpp and the fuzz target (Beast headers stay in few translation units).
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>

#include "hale/server/http_types.h"
#include "hale/server/tail_body.h"

namespace hale {

using RequestParser = boost::beast::http::request_parser<TailBody>;

// Sets the route's `rule` on a parser whose head is in: a ping keeps the tail of any length (the
// limit is then unbounded; read_timeout bounds it in time), anything else may carry at most
// min(rule.max_bytes, max_body_bytes). The limit, or nullopt when the announced Content-Length is
// already over it (413 before a byte of the body is read).
inline std::optional<std::size_t> apply_body_rule(RequestParser& parser, const BodyRule& rule, std::size_t max_body_bytes) {
  if (rule.keep_last > 0) {
    parser.get().body().keep_last = rule.keep_last;
    return std::numeric_limits<std::size_t>::max();
  }
  const std::size_t limit = std::min(rule.max_bytes, max_body_bytes);
  if (auto length = parser.content_length(); length && *length > limit) return std::nullopt;
  parser.body_limit(limit);
  return limit;
}

// The request as the router sees it: views into `req`, valid while it lives.
inline HttpRequest request_view(const boost::beast::http::request<TailBody>& req) {
  namespace http = boost::beast::http;
  HttpRequest in;
  in.method = req.method_string();
  in.target = req.target();
  in.accept = req[http::field::accept];
  in.authorization = req[http::field::authorization];
  in.host = req[http::field::host];
  in.body = req.body().data;
  in.body_bytes = req.body().received;
  return in;
}

}  // namespace hale
