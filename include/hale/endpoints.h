// hale::Endpoints (libhale, SPEC §7): /livez, /readyz and /health (with ?verbose, ?exclude,
// /health/NAME, the IETF format) rendered from a Monitor, byte for byte as the daemon renders
// them, for the service's own HTTP server to serve. Thread-safe.
//
//   if (auto r = endpoints.handle(method, target)) send(*r);   // one of ours
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/guard.h"
#include "hale/monitor.h"

namespace hale {

class Endpoints {
 public:
  // `service`: the name /health reports ("service" in its JSON).
  explicit Endpoints(const Monitor& monitor, std::string service = "app");

  EmbeddedResponse livez() const { return *handle("GET", "/livez"); }
  EmbeddedResponse readyz() const { return *handle("GET", "/readyz"); }
  EmbeddedResponse health() const { return *handle("GET", "/health"); }
  // The answer for /livez[/NAME], /readyz[/NAME], /health[/NAME] and /guard/NAME (query
  // included); nullopt for any other path (the service's own routes). `accept`: the Accept
  // header (application/health+json picks the IETF format).
  std::optional<EmbeddedResponse> handle(std::string_view method, std::string_view target,
                                         std::string_view accept = {}) const;

 private:
  const Monitor& monitor_;
  std::string service_;
};

}  // namespace hale
