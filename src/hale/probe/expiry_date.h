// The expiry check's judgement, pure and unit-tested on fixed instants: where the date is in
// a credential document (find_expiry) and what the time left to it means (judge_expiry_date).
// Nothing here ever puts the document, the token or a value from it into a message: only
// the JSON pointer (from the config), a JSON type name, the date and the time left.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/clock.h"
#include "hale/config.h"
#include "hale/health.h"
#include "hale/time/timestamp.h"
#include "hale/status.h"

namespace hale {

// The date in `document`:
//   kJwt without a pointer: the whole document (trimmed) is a JWT, its `exp` claim (jwt.h);
//   kJwt with a pointer:    the document is JSON and the string at the pointer is the JWT;
//   kJson:                  the document is JSON and the value at the pointer is a timestamp:
//                           a number or a string as timestamp.h reads them.
// A kJson without a pointer reads the whole document as the value.
StatusOr<ExpiryTime> find_expiry(std::string_view document, ExpiryFormat format,
                                 const std::optional<std::string>& json_pointer);

// "3h12m", "2d4h", "4m30s", "59s": the two largest units of `d`, rounded down (days, hours,
// minutes, seconds as format_duration writes them), a zero second unit left out ("3h").
std::string format_time_left(std::chrono::seconds d);

// The verdict on a credential that expires at `expires_at`, at `now`:
//   expires_at <= now          -> fail  "expired 2h ago (2026-11-23T08:00:00Z)", code "expiry"
//   left < fail_before         -> fail  "expires in 4m (2026-11-23T10:04:00Z)",  code "expiry"
//   left < warn_before         -> warn  same reason,                             code "expiry"
//   otherwise                  -> pass  "expires in 3h12m (2026-11-23T13:12:00Z)"
// "Under" a threshold is strictly less: exactly warn_before left is still a pass. Time is
// counted in whole seconds (`now` rounded down).
ProbeResult judge_expiry_date(ExpiryTime expires_at, WallTime now, Duration warn_before, Duration fail_before);

}  // namespace hale
