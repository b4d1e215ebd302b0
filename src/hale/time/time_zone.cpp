// TimeZone on cctz (see time_zone.h).
#include "hale/time/time_zone.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace hale {

namespace {

using Seconds = cctz::time_point<cctz::seconds>;

bool valid_name(std::string_view n) {
  return !n.empty() && n.front() != '/' && n.find("..") == std::string_view::npos &&
         std::all_of(n.begin(), n.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' || ch == '+';
         });
}

// Where cctz reads `name` from: the same rule as its file source ($TZDIR, else the system's).
std::string zone_file(const std::string& name) {
  const char* dir = std::getenv("TZDIR");
  return std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
}

const cctz::civil_second kEpoch(1970, 1, 1, 0, 0, 0);

}  // namespace

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  z.zone_ = cctz::utc_time_zone();
  return z;
}

StatusOr<TimeZone> TimeZone::load(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") {
    TimeZone z = utc();
    z.name_ = std::string(name);
    return z;
  }
  const std::string n(name);
  if (!valid_name(n)) return Status::error("time zone \"" + n + "\": not a time zone name such as Europe/Berlin");
  TimeZone z;
  z.name_ = n;
  if (cctz::load_time_zone(n, &z.zone_)) return z;
  // cctz says only "no": name the file, and whether it is missing or not a zone.
  const std::string path = zone_file(n);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::not_found("unknown time zone \"" + n + "\": no file " + path);
  return Status::error("time zone \"" + n + "\": " + path + " is not a TZif file");
}

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const {
  return zone_.lookup(Seconds(cctz::seconds(utc_seconds))).offset;
}

std::vector<std::int64_t> TimeZone::to_utc(std::int64_t local_seconds) const {
  const cctz::time_zone::civil_lookup l = zone_.lookup(kEpoch + local_seconds);
  auto seconds_of = [](Seconds t) { return static_cast<std::int64_t>(t.time_since_epoch().count()); };
  switch (l.kind) {
    case cctz::time_zone::civil_lookup::UNIQUE: return {seconds_of(l.pre)};
    case cctz::time_zone::civil_lookup::SKIPPED: return {};
    case cctz::time_zone::civil_lookup::REPEATED: {
      std::vector<std::int64_t> both{seconds_of(l.pre), seconds_of(l.post)};
      std::sort(both.begin(), both.end());
      return both;
    }
  }
  return {};
}

}  // namespace hale
