// Finding the date in a credential document and judging the time left (see expiry_date.h).
#include "hale/probe/expiry_date.h"

#include <nlohmann/json.hpp>

#include "hale/probe/jwt.h"

namespace hale {

namespace {

using nlohmann::json;
using std::chrono::seconds;

// The pointer as messages name it.
std::string where(const std::string& pointer) { return pointer.empty() ? "the document root" : pointer; }

// The JSON type of a value that is not what was wanted: a type says enough, a value could be
// the secret itself.
std::string a_type(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    case json::value_t::string: return "a string";
    default: return "a number";
  }
}

bool looks_like_json(std::string_view document) {
  const std::size_t first = document.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (document[first] == '{' || document[first] == '[');
}

StatusOr<json> parse_document(std::string_view document) {
  // Without exceptions, and never the parser's message: it quotes the text around the error.
  json doc = json::parse(document.begin(), document.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::error("document is not JSON");
  return doc;
}

StatusOr<const json*> value_at(const json& doc, const std::string& pointer) {
  try {
    const json::json_pointer p(pointer);  // checked at load (expiry_keys.cpp)
    if (!doc.contains(p)) return Status::error("no value at " + where(pointer));
    return &doc.at(p);
  } catch (const json::exception&) {  // e.g. "/items/x" into an array
    return Status::error("no value at " + where(pointer));
  }
}

StatusOr<ExpiryTime> timestamp_at(const json& v, const std::string& pointer) {
  if (v.is_number()) {
    if (auto t = from_epoch_number(v.get<double>())) return *t;
    return Status::error("value at " + where(pointer) +
                         " is a number but not a date (want seconds or milliseconds since the epoch, 1970 to 9999)");
  }
  if (v.is_string()) {
    if (auto t = parse_timestamp_text(v.get_ref<const std::string&>())) return *t;
    return Status::error("value at " + where(pointer) +
                         " is a string but not a timestamp (want ISO 8601 like 2026-11-23T10:00:00Z, or seconds or "
                         "milliseconds since the epoch)");
  }
  return Status::error("value at " + where(pointer) + " is not a timestamp but " + a_type(v));
}

}  // namespace

StatusOr<ExpiryTime> find_expiry(std::string_view document, ExpiryFormat format,
                                 const std::optional<std::string>& json_pointer) {
  if (format == ExpiryFormat::kJwt && !json_pointer) {
    auto at = jwt_expiry(document);
    if (!at && looks_like_json(document)) {
      return Status::error(at.status().message() + "; the document is JSON: set `json_pointer` to where the token is");
    }
    return at;
  }
  auto doc = parse_document(document);
  if (!doc) return doc.status();
  const std::string pointer = json_pointer.value_or("");
  auto value = value_at(*doc, pointer);
  if (!value) return value.status();
  const json& v = **value;
  if (format == ExpiryFormat::kJson) return timestamp_at(v, pointer);
  if (!v.is_string()) return Status::error("value at " + where(pointer) + " is not a JWT but " + a_type(v));
  auto at = jwt_expiry(v.get_ref<const std::string&>());
  if (!at) return Status::error("value at " + where(pointer) + ": " + at.status().message());
  return at;
}

std::string format_time_left(seconds d) {
  std::int64_t s = d.count() < 0 ? -d.count() : d.count();
  // The two largest units, in format_duration's letters.
  auto two = [](std::int64_t big, const char* big_unit, std::int64_t small, const char* small_unit) {
    return std::to_string(big) + big_unit + (small > 0 ? std::to_string(small) + small_unit : "");
  };
  if (s >= 86400) return two(s / 86400, "d", s % 86400 / 3600, "h");
  if (s >= 3600) return two(s / 3600, "h", s % 3600 / 60, "m");
  if (s >= 60) return two(s / 60, "m", s % 60, "s");
  return std::to_string(s) + "s";
}

ProbeResult judge_expiry_date(ExpiryTime expires_at, WallTime now, Duration warn_before, Duration fail_before) {
  // In whole seconds, both sides: a date in the year 9999 is too far for nanoseconds.
  const seconds left = expires_at - std::chrono::floor<seconds>(now);
  const std::string when = " (" + format_expiry_time(expires_at) + ")";
  if (left <= seconds::zero()) return probe_failure("expired " + format_time_left(left) + " ago" + when, ErrorKind::kExpiry);
  std::string reason = "expires in " + format_time_left(left) + when;
  // With whole seconds left, "left < 1.5s" is "left < 2s".
  if (left < std::chrono::ceil<seconds>(fail_before)) return probe_failure(std::move(reason), ErrorKind::kExpiry);
  if (left < std::chrono::ceil<seconds>(warn_before)) return probe_result(Verdict::kWarn, std::move(reason), ErrorKind::kExpiry);
  return probe_result(Verdict::kPass, std::move(reason));
}

}  // namespace hale
