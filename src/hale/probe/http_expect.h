// HttpExpect: what an http check expects of a response (status ranges, body regex, JSON
// subset, max latency) and the verdict a response earns. Pure: no I/O, unit-tested.
// Reasons never quote the body (SPEC §2: bodies may hold personal data).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/status.h"

namespace hale {

// Bodies beyond this are drained but not kept; a body or JSON check then fails.
inline constexpr std::size_t kMaxHttpBody = 1024 * 1024;

// What the http probe saw, without the transport details.
struct HttpResponse {
  int status = 0;
  std::string_view body;
  bool body_truncated = false;  // more than kMaxHttpBody arrived
  Duration latency{};
};

class HttpExpect {
 public:
  // Compiles the expectations of an http check. An error (not an exception) when the
  // expect_body regex or the expect_json text does not compile: the config loader should
  // have caught it, the probe then reports it on every attempt.
  static StatusOr<HttpExpect> compile(const HttpCheck& spec);

  // The verdict for one response. Checks run in order status, body, json, latency; the first
  // that fails decides. A pass slower than max_latency becomes a warn ("latency").
  ProbeResult judge(const HttpResponse& response) const;

  // Whether the body must be kept at all (a status-only check drains it).
  bool needs_body() const { return body_regex_.has_value() || expect_json_ != nullptr; }

 private:
  std::vector<StatusRange> status_;
  std::optional<std::regex> body_regex_;
  std::shared_ptr<const nlohmann::json> expect_json_;
  std::optional<Duration> max_latency_;
};

// "200-399", "200, 204": the ranges as a person reads them.
std::string describe_status_ranges(const std::vector<StatusRange>& ranges);

// Where `actual` fails to contain `expected`, as a JSON pointer ("/status", "/items/0/id",
// "" for the root); nullopt when it is a subset. Objects: every expected key is present with
// a matching value, extra keys are fine. Arrays: same length, and each expected element
// matches the actual element at the same index (order matters; an expected [] means empty).
// Scalars: equal (1 and 1.0 are equal numbers).
std::optional<std::string> json_subset_mismatch(const nlohmann::json& expected,
                                                const nlohmann::json& actual);

}  // namespace hale
