// Timestamps as credentials and hale's own JSON write them (the one ISO 8601 reader of hale): ISO 8601 / RFC 3339 text, or a number of seconds or
// milliseconds since the epoch (a JWT's `exp`, an OAuth token cache's `expires_at`). Pure,
// unit-tested; the expiry check's reading of dates (see expiry_date.h).
//
// Dates are whole seconds in an int64 (std::chrono::sys_seconds), not WallTime: a credential
// that "never expires" is often dated 9999-12-31, far beyond what nanoseconds can count
// (year 2262). Fractions of a second are dropped (rounded down).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"

namespace hale {

using ExpiryTime = std::chrono::sys_seconds;

// A number above this is milliseconds: as seconds it would be after the year 5138, as
// milliseconds it is after 1973-03-03, so no real date of either kind is misread.
inline constexpr double kEpochMillisecondsAbove = 1e11;

// Seconds since the epoch, or milliseconds when above kEpochMillisecondsAbove; fractions are
// dropped. nullopt when negative, not finite, or after 9999-12-31T23:59:59Z.
std::optional<ExpiryTime> from_epoch_number(double n);

// RFC 3339 and the ISO 8601 forms around it: "2026-11-23T10:00:00Z", "...T10:00:00.123456Z",
// "...T12:00:00+02:00" (also "+0200", "+02"), "...T10:00Z" (no seconds), a space or 't'
// instead of 'T', 'z' for 'Z', a date alone ("2026-11-23": midnight). No offset at all is
// read as UTC. Calendar fields are checked (no February 30th). Surrounding whitespace is
// ignored. nullopt when it is none of these.
std::optional<ExpiryTime> parse_iso8601(std::string_view text);

// The same forms as an instant to the nanosecond (the daemon's JSON times, read by the CLI).
// nullopt also outside WallTime's range (years 1678-2261).
std::optional<WallTime> parse_iso8601_instant(std::string_view text);

// A string value: ISO 8601 as above, or a number written as text ("1732000000",
// "1732000000123", "1732000000.5") read like from_epoch_number.
std::optional<ExpiryTime> parse_timestamp_text(std::string_view text);

// "2026-11-23T10:00:00Z", for any year 0000-9999.
std::string format_expiry_time(ExpiryTime t);

}  // namespace hale
