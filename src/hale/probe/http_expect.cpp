// Judges one HTTP response against an http check's expectations (see http_expect.h).
#include "hale/probe/http_expect.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "hale/text/regex_guard.h"

namespace hale {

namespace {

using nlohmann::json;

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> mismatch_at(const json& expected, const json& actual,
                                       const std::string& path) {
  if (expected.is_object()) {
    if (!actual.is_object()) return path;
    for (const auto& [key, value] : expected.items()) {
      std::string child = path + "/" + escape_pointer_token(key);
      auto it = actual.find(key);
      if (it == actual.end()) return child;
      if (auto m = mismatch_at(value, *it, child)) return m;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return path;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto m = mismatch_at(expected[i], actual[i], path + "/" + std::to_string(i))) return m;
    }
    return std::nullopt;
  }
  if (expected != actual) return path;
  return std::nullopt;
}

long long to_ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

ProbeResult make(Verdict verdict, std::string reason, ErrorKind code, Duration latency) {
  ProbeResult r;
  r.verdict = verdict;
  r.reason = std::move(reason);
  r.error = code;
  r.latency = latency;
  return r;
}

}  // namespace

StatusOr<HttpExpect> HttpExpect::compile(const HttpCheck& spec) {
  HttpExpect e;
  e.status_ = spec.expect_status;
  e.max_latency_ = spec.max_latency;
  if (spec.expect_body) {
    auto compiled = compile_body_regex(*spec.expect_body);
    if (!compiled) return Status::error("expect_body is not a valid regex: " + compiled.status().message());
    e.body_regex_.emplace(std::move(compiled).value());
  }
  if (spec.expect_json) {
    json parsed = json::parse(*spec.expect_json, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Status::error("expect_json is not valid JSON");
    e.expect_json_ = std::make_shared<const json>(std::move(parsed));
  }
  return e;
}

ProbeResult HttpExpect::judge(const HttpResponse& r) const {
  bool status_ok = status_.empty();  // no ranges at all: any status will do
  for (const auto& range : status_) {
    if (r.status >= range.lo && r.status <= range.hi) status_ok = true;
  }
  if (!status_ok) {
    return make(Verdict::kFail,
                "status " + std::to_string(r.status) + " (expected " +
                    describe_status_ranges(status_) + ")",
                ErrorKind::kStatus, r.latency);
  }
  if (needs_body() && r.body_truncated) {
    return make(Verdict::kFail, "body larger than 1 MiB", ErrorKind::kBody, r.latency);
  }
  if (body_regex_) {
    bool found = false;
    try {
      found = std::regex_search(r.body.begin(), r.body.end(), *body_regex_,
                                std::regex_constants::match_continuous);
    } catch (const std::regex_error&) {
      found = false;  // error_complexity / error_stack: treat as no match
    }
    if (!found) return make(Verdict::kFail, "body did not match", ErrorKind::kBody, r.latency);
  }
  if (expect_json_) {
    json actual = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (actual.is_discarded()) {
      return make(Verdict::kFail, "response is not JSON", ErrorKind::kJson, r.latency);
    }
    if (auto where = json_subset_mismatch(*expect_json_, actual)) {
      return make(Verdict::kFail, "json did not match at " + (where->empty() ? "/" : *where),
                  ErrorKind::kJson, r.latency);
    }
  }
  if (max_latency_ && r.latency > *max_latency_) {
    return make(Verdict::kWarn,
                "slow: " + std::to_string(to_ms(r.latency)) + "ms > " +
                    std::to_string(to_ms(*max_latency_)) + "ms",
                ErrorKind::kLatency, r.latency);
  }
  return make(Verdict::kPass, "HTTP " + std::to_string(r.status), ErrorKind::kNone, r.latency);
}

std::string describe_status_ranges(const std::vector<StatusRange>& ranges) {
  std::string out;
  for (const auto& range : ranges) {
    if (!out.empty()) out += ", ";
    out += std::to_string(range.lo);
    if (range.hi != range.lo) out += "-" + std::to_string(range.hi);
  }
  return out;
}

std::optional<std::string> json_subset_mismatch(const json& expected, const json& actual) {
  return mismatch_at(expected, actual, "");
}

}  // namespace hale
