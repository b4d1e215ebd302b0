// Credential documents of expiry checks (SPEC §2, §5): a JWT, a JWT inside a JSON token cache,
// a JSON document with a date, read by find_expiry as the probe reads a file or a variable.
// The first byte picks the check's `format` and `json_pointer`, the rest is the document.
// A date found must survive format_expiry_time -> parse_iso8601 unchanged (hale prints it and
// its CLI reads it back), and judging it must give a reason.
#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "fuzz_support.h"
#include "hale/probe/expiry_date.h"
#include "hale/probe/jwt.h"
#include "hale/time/timestamp.h"

namespace {

using namespace std::chrono;

struct Shape {
  hale::ExpiryFormat format;
  std::optional<std::string> pointer;
};

const std::array<Shape, 5> kShapes = {{
    {hale::ExpiryFormat::kJwt, std::nullopt},
    {hale::ExpiryFormat::kJwt, "/access_token"},
    {hale::ExpiryFormat::kJson, "/claudeAiOauth/expiresAt"},
    {hale::ExpiryFormat::kJson, "/expires_at"},
    {hale::ExpiryFormat::kJson, std::nullopt},
}};

const hale::WallTime kNow(duration_cast<hale::WallTime::duration>(seconds(1795428000)));

void check_date(hale::ExpiryTime t) {
  const std::optional<hale::ExpiryTime> again = hale::parse_iso8601(hale::format_expiry_time(t));
  if (!again || *again != t) hale::fuzz::fail();
  const hale::ProbeResult r = hale::judge_expiry_date(t, kNow, hours(24 * 7), hours(24));
  if (r.reason.empty()) hale::fuzz::fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Shape& shape = kShapes[data[0] % kShapes.size()];
  const std::string_view doc = hale::fuzz::as_text(data + 1, size - 1);
  if (auto t = hale::find_expiry(doc, shape.format, shape.pointer)) check_date(*t);
  // The readers under it, on the same bytes: a token, a timestamp string, an ISO instant.
  if (auto t = hale::jwt_expiry(doc)) check_date(*t);
  if (auto t = hale::parse_timestamp_text(doc)) check_date(*t);
  (void)hale::parse_iso8601_instant(doc);
  return 0;
}
