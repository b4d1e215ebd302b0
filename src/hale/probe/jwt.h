// The expiry of a JWT: the `exp` claim of a compact JWS ("header.payload.signature", RFC 7519),
// read without verifying the signature: the expiry check only asks when the token stops
// working, it never trusts what the token says. Pure, unit-tested.
// Messages never quote the token or a claim (SPEC §2 and §5: the token is never shown).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hale/time/timestamp.h"
#include "hale/status.h"

namespace hale {

// RFC 4648 §5 base64url: '-' and '_' for '+' and '/', padding optional (JWTs have none).
// nullopt on any other character or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// The `exp` claim of `token` (surrounding whitespace ignored). `exp` is a number of seconds
// (RFC 7519 NumericDate), a fraction allowed; a number above kEpochMillisecondsAbove is taken
// for milliseconds as in timestamp.h. The header must be base64url JSON too, so that any
// three dot-separated words do not pass for a token. Errors: "not a JWT (...)",
// "JWT payload is not JSON", "JWT has no `exp` claim", "JWT `exp` claim is not a number", ...
StatusOr<ExpiryTime> jwt_expiry(std::string_view token);

}  // namespace hale
