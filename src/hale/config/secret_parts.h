// The meaningful parts of a secret, masked like the whole (issue 17): a job or a plugin prints
// the bare token, not the header it came in. The log redactor masks whole values only, so each
// secret also gives:
// - after an auth scheme ("Bearer TOKEN", "Bot TOKEN", "Basic BASE64"): the credentials, and for
//   Basic the decoded "user:password" and its password;
// - of a URL: each query value (?apikey=, ?token=, ...), URL-decoded and as written.
// Parts shorter than kMinSecretPart are left out: masking every "1" or "on" in the logs would
// hide more than it protects (a documented limit).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hale::config {

inline constexpr std::size_t kMinSecretPart = 6;

// The parts of `secret` to mask besides itself (none when it has none).
std::vector<std::string> secret_parts(std::string_view secret);

// The query values of `url` whose key names a credential (key, token, secret, password,
// signature, auth, sig): secrets even in a URL written inline (`?apikey=...`).
std::vector<std::string> credential_query_values(std::string_view url);

}  // namespace hale::config
