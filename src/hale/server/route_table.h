// The route table: every endpoint of SPEC §3-§7 as one row (path pattern, methods, handler), so
// that the endpoints can be read in one place, listed by tests (the secrets scan walks every
// route) and matched without offsets. Matching is pure.
//
// Patterns are paths whose segments are literal or a named parameter:
//   "/readyz"                          exactly that path
//   "/readyz/{name}"                   one more segment (names never hold a '/'; it may be empty,
//                                      and the handler names what is missing)
//   "/api/v1/services/{name}/{action}" two of them
//   "/ping/{path...}"                  whatever follows "/ping/", '/' included (the ping's own
//                                      parser reads it)
// The first parameter is the call's `name`, the second its `action`.
#pragma once

#include <span>
#include <string_view>

#include "hale/server/http_types.h"
#include "hale/server/query.h"

namespace hale {

struct RouterContext;

// What a handler is given: the request, the daemon's context, the parsed target and the
// pattern's parameters.
struct RouteCall {
  const HttpRequest& req;
  const RouterContext& ctx;
  const ParsedTarget& target;
  std::string_view name;    // the pattern's first parameter, if any
  std::string_view action;  // its second
};

using RouteHandler = HttpResponse (*)(const RouteCall&);

struct Route {
  std::string_view pattern;
  // The methods it answers, as a 405's Allow header says them ("GET, HEAD").
  std::string_view methods;
  RouteHandler handle = nullptr;
  // Answered whatever the Host header says: the probe endpoints and the guards (an
  // orchestrator's or load balancer's probe may name hale by an address it was never told
  // about; a kubelet sends the pod IP). Every other route refuses a Host outside
  // server.allowed_hosts (DNS rebinding).
  bool any_host = false;

  bool allows(std::string_view method) const;
};

// Every route, in the order they are matched. Rows may share a pattern when they answer different
// methods (see find_route).
std::span<const Route> routes();

// Whether `path` fits `pattern` (see above); on a match, `name` and `action` are its
// parameters (views into `path`).
bool match_route(std::string_view pattern, std::string_view path, std::string_view& name, std::string_view& action);

struct RouteLookup {
  const Route* route = nullptr;      // the first row that fits the path and allows the method
  const Route* fits_path = nullptr;  // the first row that fits the path (its methods: a 405's Allow)
  std::string_view name, action;     // route's parameters
};

// Several rows may share a pattern with different methods: a later row answers a method the
// first does not (with a hint, for instance).
RouteLookup find_route(std::string_view method, std::string_view path);

}  // namespace hale
