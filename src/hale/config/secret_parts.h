// The meaningful parts of a secret, masked like the whole (issue 17): a job or a plugin prints
// the bare token, not the header it came in. The log redactor masks whole values only, so each
// secret also gives:
// - after an auth scheme ("Bearer TOKEN", "Bot TOKEN", "Basic BASE64"): the credentials, and for
//   Basic the decoded "user:password" and its password;
// - of a URL: its password, each path segment of kMinSecretPathSegment characters or more (a
//   webhook's token; Telegram's bot<TOKEN> also without "bot"), and the values of credential
//   query keys (?apikey=, ?token=, ...), URL-decoded and as written. Other query values and short
//   segments (?channel=ops, /services) are everyday words and are not masked.
// Parts shorter than kMinSecretPart are left out: masking every "1" or "on" in the logs would
// hide more than it protects (a documented limit).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hale::config {

inline constexpr std::size_t kMinSecretPart = 6;
inline constexpr std::size_t kMinSecretPathSegment = 16;

// The parts of `secret` to mask besides itself (none when it has none).
std::vector<std::string> secret_parts(std::string_view secret);

// Whether a query key names a credential: one of a list of whole names (key, apikey, auth, sig,
// signature, secret, password, X-Amz-Signature, ...) or a name ending in token, secret, password,
// apikey or signature; case and `_` `-` `.` do not matter. Not a substring match: `sort_key`,
// `author` and `monkey` are not credentials.
bool is_credential_query_key(std::string_view key);

// The values of `url`'s credential query keys, URL-decoded and as written: secrets even in a URL
// written inline (`?apikey=...`).
std::vector<std::string> credential_query_values(std::string_view url);

}  // namespace hale::config
